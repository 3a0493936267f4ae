#define _GNU_SOURCE  // pipe2
#include "CNcursesw.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

SCREEN *podtop_newterm(const char *term_name) {
    FILE *out = fdopen(STDOUT_FILENO, "w");
    FILE *in = fdopen(STDIN_FILENO, "r");
    if (out == NULL || in == NULL) return NULL;
    return newterm(term_name, out, in);
}

WINDOW *podtop_stdscr(void) { return stdscr; }
int podtop_lines(void) { return LINES; }
int podtop_cols(void) { return COLS; }
int podtop_colors(void) { return COLORS; }
int podtop_color_pairs(void) { return COLOR_PAIRS; }

attr_t podtop_attr_normal(void) { return A_NORMAL; }
attr_t podtop_attr_bold(void) { return A_BOLD; }
attr_t podtop_attr_dim(void) { return A_DIM; }
attr_t podtop_attr_reverse(void) { return A_REVERSE; }
attr_t podtop_attr_underline(void) { return A_UNDERLINE; }

int podtop_setcchar(cchar_t *cell, const wchar_t *text, attr_t attrs, int pair) {
    int extended = pair;
    return setcchar(cell, text, attrs, (short)(pair > 32767 ? 0 : pair), &extended);
}

int podtop_draw_row(WINDOW *win, int y, int x, const cchar_t *cells, int count) {
    return mvwadd_wchnstr(win, y, x, cells, count);
}

int podtop_init_pair(int pair, int fg, int bg) { return init_extended_pair(pair, fg, bg); }

int podtop_can_address_cursor(void) {
    char *cup = tigetstr("cup");
    return cup != NULL && cup != (char *)-1 && cup[0] != '\0';
}

int podtop_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

// ---- signals -------------------------------------------------------------------------------

static volatile sig_atomic_t pending_signal = 0;
static struct termios saved_modes;
static int have_saved_modes = 0;
static char restore_sequence[256];
static size_t restore_length = 0;

// A byte is written here on a shutdown signal: the signal may land on any thread, and only the
// UI thread's poll() watching this pipe is sure to wake at once.
static int signal_pipe[2] = {-1, -1};

static void record_shutdown_signal(int sig) {
    if (pending_signal == 0) pending_signal = sig;
    if (signal_pipe[1] >= 0) {
        int saved_errno = errno;
        ssize_t ignored = write(signal_pipe[1], "s", 1);
        (void)ignored;
        errno = saved_errno;
    }
}

int podtop_signal_descriptor(void) { return signal_pipe[0]; }

void podtop_emergency_restore(void) {
    if (restore_length > 0) {
        ssize_t ignored = write(STDOUT_FILENO, restore_sequence, restore_length);
        (void)ignored;
    }
    if (have_saved_modes) tcsetattr(STDIN_FILENO, TCSANOW, &saved_modes);
}

static void restore_then_reraise(int sig) {
    podtop_emergency_restore();
    // SA_RESETHAND put the default action back; raising again ends the process as it would have.
    raise(sig);
}

void podtop_install_signal_handlers(void) {
    if (tcgetattr(STDIN_FILENO, &saved_modes) == 0) have_saved_modes = 1;
    if (signal_pipe[0] < 0 && pipe2(signal_pipe, O_NONBLOCK | O_CLOEXEC) != 0) signal_pipe[0] = signal_pipe[1] = -1;

    struct sigaction shutdown;
    memset(&shutdown, 0, sizeof shutdown);
    shutdown.sa_handler = record_shutdown_signal;
    sigemptyset(&shutdown.sa_mask);
    // No SA_RESTART: a blocked poll() must return so the loop sees the signal at once.
    sigaction(SIGINT, &shutdown, NULL);
    sigaction(SIGTERM, &shutdown, NULL);
    sigaction(SIGHUP, &shutdown, NULL);
    sigaction(SIGQUIT, &shutdown, NULL);
    signal(SIGPIPE, SIG_IGN);

    // A stack overflow on this (the terminal's) thread leaves no stack for the handler: it
    // runs on a stack of its own, so the terminal is restored even then.
    static char alternate_stack[64 * 1024];
    stack_t alternate = { .ss_sp = alternate_stack, .ss_size = sizeof alternate_stack, .ss_flags = 0 };
    sigaltstack(&alternate, NULL);

    struct sigaction crash;
    memset(&crash, 0, sizeof crash);
    crash.sa_handler = restore_then_reraise;
    crash.sa_flags = SA_RESETHAND | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&crash.sa_mask);
    sigaction(SIGSEGV, &crash, NULL);
    sigaction(SIGBUS, &crash, NULL);
    sigaction(SIGILL, &crash, NULL);
    sigaction(SIGTRAP, &crash, NULL);
    sigaction(SIGABRT, &crash, NULL);
    sigaction(SIGFPE, &crash, NULL);
}

static void append_capability(const char *name) {
    char *value = tigetstr(name);
    if (value == NULL || value == (char *)-1) return;
    size_t length = strlen(value);
    if (restore_length + length >= sizeof restore_sequence) return;
    memcpy(restore_sequence + restore_length, value, length);
    restore_length += length;
}

void podtop_prepare_crash_restore(void) {
    restore_length = 0;
    append_capability("sgr0");
    append_capability("cnorm");
    append_capability("rmcup");
    append_capability("rmkx");
}

int podtop_pending_signal(void) { return pending_signal; }

void podtop_use_one_malloc_arena(void) { mallopt(M_ARENA_MAX, 1); }

void podtop_unblock_termination_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
