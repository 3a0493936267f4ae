import CNcursesw

/// What podtop sets up for the whole process before any thread starts.
public enum ProcessStart {
    public static func prepare() {
        // One malloc arena for all threads: podtop's threads rarely allocate at the same time,
        // and glibc's arena per thread keeps freed memory resident in each of them.
        podtop_use_one_malloc_arena()
        // A parent may hand its blocked signals down (test runners, some supervisors do): a
        // blocked SIGHUP or SIGINT would leave podtop running after its terminal or ^C went.
        podtop_unblock_termination_signals()
    }
}
