/*
 * webpath.h - a web server's request target as a path below its document
 * root, to be compared with the paths `mimamori watch` records (a path
 * relative to the watched root). The rule, documented in README and the
 * man page: a watched root is the web site's document root, so the URL
 * path "/a/b.php" is the file "a/b.php" below it.
 */
#ifndef MM_WEBPATH_H
#define MM_WEBPATH_H

#include <stdbool.h>
#include <stddef.h>

#define MM_WEBPATH_MAX 512      /* longest path kept, with its NUL */
#define MM_WEB_PATHS_MAX 100000 /* answered paths kept per company (web_paths): a server
                                   that answers any path must not grow the store without end */

/* The path of a request target t[0..n): an absolute URL's scheme and
 * host dropped; the query and fragment dropped; %XX decoded once; '\' as
 * '/'; empty and "." segments dropped; ".." taking the segment before it
 * away. out gets the path without its leading '/', NUL-ended. Returns its
 * length, or 0 when there is no path to compare: not a path ("*", a
 * CONNECT authority), the root itself, ".." above the root, a decoded NUL
 * or control byte, longer than cap - 1. */
size_t mm_web_path(const char *t, size_t n, char *out, size_t cap);

/* Whether a path (as mm_web_path gives it) is an administration page of a
 * common web application: first segment wp-admin, wp-login.php,
 * administrator (Joomla), admin, phpmyadmin, pma, manager (Tomcat),
 * user/login (Drupal), without regard to case. name gets the part that
 * says so ("wp-login.php", "user/login"), at most 32 bytes. */
bool mm_web_admin(const char *path, char name[32]);

#endif
