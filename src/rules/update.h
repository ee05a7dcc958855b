/*
 * update.h - fetching rulesets and name lists (see update.c for the
 * configuration format).
 */
#ifndef MM_UPDATE_H
#define MM_UPDATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The configuration used when none is given: ET Open for Suricata 7 and
 * the public mining-name lists, into /var/lib/mimamori. */
extern const char mm_update_default_config[];

/* Runs an update from the configuration text; dir (when not NULL)
 * overrides its 'dir'; ca: authorities to trust (NULL: the system's).
 * Progress lines go to log. Returns 0 when everything was fetched and
 * written, 1 when a download or write failed (last good copies kept), 2
 * when the configuration is wrong (err says where). */
int mm_update(const char *config_text, const char *dir, const char *ca, FILE *log, char *err,
              size_t errlen);

/* For tests and fuzzing: 0 when the configuration parses (2 with err
 * otherwise); the regular files of a .tar.gz (-1 when it is not one). */
int mm_update_check_config(const char *text, char *err, size_t errlen);
int mm_update_archive_members(const uint8_t *d, size_t n);

#endif
