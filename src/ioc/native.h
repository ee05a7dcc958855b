/*
 * native.h - mimamori's own indicator file (see native.c).
 */
#ifndef MM_IOC_NATIVE_H
#define MM_IOC_NATIVE_H

#include <stdio.h>

#include "ioc/ioc.h"

void mm_ioc_native_header(FILE *f);
void mm_ioc_native_write(FILE *f, const mm_ioc *c);

#endif
