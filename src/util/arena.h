/*
 * arena.h - a bump allocator for data that lives as long as its owner (a
 * loaded ruleset): allocations come from 64 KiB blocks and are all freed
 * together. Large requests get a block of their own.
 */
#ifndef MM_ARENA_H
#define MM_ARENA_H

#include <stddef.h>

typedef struct mm_arena_block mm_arena_block;

typedef struct mm_arena {
    mm_arena_block *head;
    size_t used;            /* bytes in the current block */
    size_t bytes;           /* total bytes of every block (what the arena holds) */
} mm_arena;

/* Zeroed memory, aligned for any type; NULL when out of memory. */
void *mm_arena_alloc(mm_arena *a, size_t n);
void *mm_arena_dup(mm_arena *a, const void *p, size_t n);
char *mm_arena_strdup(mm_arena *a, const char *s);
void mm_arena_free(mm_arena *a);

#endif
