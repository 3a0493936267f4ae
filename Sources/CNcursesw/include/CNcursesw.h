// The one C header of podtop. Swift sees ncursesw only through this file.
//
// Why these wrappers exist (see shared/design/ncurses-from-swift.md):
// - SwiftPM drops pkg-config's -D flags, so wide-character curses is switched on here.
// - Function-like macros (A_BOLD, getmaxyx, ...) and C globals (stdscr, LINES, COLORS) do not
//   import into Swift 6; each gets a prefixed accessor instead.
// - Signal and crash handlers must be async-signal-safe, which Swift code cannot promise.
#ifndef PODTOP_CNCURSESW_H
#define PODTOP_CNCURSESW_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <curses.h>
#include <term.h>
#include <wchar.h>
#include <locale.h>
#include <langinfo.h>

/// newterm on the process's own stdin/stdout; NULL when TERM is unknown.
SCREEN *podtop_newterm(const char *term_name);
WINDOW *podtop_stdscr(void);
int podtop_lines(void);
int podtop_cols(void);
int podtop_colors(void);
int podtop_color_pairs(void);

attr_t podtop_attr_normal(void);
attr_t podtop_attr_bold(void);
attr_t podtop_attr_dim(void);
attr_t podtop_attr_reverse(void);
attr_t podtop_attr_underline(void);

/// setcchar with an extended colour pair (pairs above 32767 travel in the opts argument).
int podtop_setcchar(cchar_t *cell, const wchar_t *text, attr_t attrs, int pair);
int podtop_draw_row(WINDOW *win, int y, int x, const cchar_t *cells, int count);
int podtop_init_pair(int pair, int fg, int bg);

/// 1 when the terminal description can move the cursor anywhere (has `cup`).
int podtop_can_address_cursor(void);
/// 1 when the current locale's character set is UTF-8.
int podtop_locale_is_utf8(void);

/// Saves the terminal modes and installs handlers: SIGINT/SIGTERM/SIGHUP/SIGQUIT only record
/// the signal (the main loop shuts down cleanly); crash signals restore the terminal, then
/// re-raise so the process still dies with its signal and a core dump where enabled.
void podtop_install_signal_handlers(void);

/* One malloc arena for every thread (mallopt is not in Swift's Glibc module). */
void podtop_use_one_malloc_arena(void);

/* Unblocks SIGHUP, SIGINT, SIGQUIT, SIGTERM and SIGPIPE for this thread and those it starts. */
void podtop_unblock_termination_signals(void);
/// Call once curses knows the terminal: caches the sequences a crash handler writes.
void podtop_prepare_crash_restore(void);
/// The first shutdown signal received, or 0.
int podtop_pending_signal(void);
/// Readable once a shutdown signal has arrived (a self-pipe), -1 if it could not be made.
int podtop_signal_descriptor(void);
/// Puts the saved terminal modes back and leaves the alternate screen, outside curses.
void podtop_emergency_restore(void);

#endif
