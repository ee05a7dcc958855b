/*
 * fetch.h - downloading a file over HTTPS (libcurl), into memory, bounded.
 * Only https:// URLs; the server's certificate is always verified, against
 * the system's authorities or a given CA bundle.
 */
#ifndef MM_FETCH_H
#define MM_FETCH_H

#include <stddef.h>
#include <stdint.h>

/* The body of url (malloc'd, *len bytes) or NULL with a one-line reason in
 * err. ca: a PEM file of authorities to trust (NULL: the system's). */
uint8_t *mm_fetch(const char *url, const char *ca, size_t max, size_t *len, char *err,
                  size_t errlen);

#endif
