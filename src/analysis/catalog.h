/*
 * catalog.h - the catalogue of cloud services (data/cloud_services.tsv,
 * documented in docs/cloud-services.md): which service a host name belongs
 * to, and the service's category. Shadow IT in the reports is read with it.
 */
#ifndef MM_CATALOG_H
#define MM_CATALOG_H

#include <stddef.h>

typedef struct mm_catalog mm_catalog;

/* path NULL: the installed catalogue (the source tree's when run from the
 * build directory). NULL with a one-line reason in err when it cannot be
 * read. */
mm_catalog *mm_catalog_open(const char *path, char *err, size_t errlen);
void mm_catalog_free(mm_catalog *c);
/* The service a host name (or a parent domain of it) belongs to, or -1. */
int mm_catalog_find(const mm_catalog *c, const char *host, size_t n);
size_t mm_catalog_count(const mm_catalog *c);
const char *mm_catalog_service(const mm_catalog *c, int i);
const char *mm_catalog_category(const mm_catalog *c, int i);
/* A service by its key, or -1. */
int mm_catalog_by_name(const mm_catalog *c, const char *service);

#endif
