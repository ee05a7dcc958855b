/*
 * arena.c - bump allocation from 64 KiB blocks (see arena.h).
 */
#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (64 * 1024)

struct mm_arena_block {
    mm_arena_block *next;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

void *mm_arena_alloc(mm_arena *a, size_t n)
{
    const size_t al = alignof(max_align_t);
    if (n > SIZE_MAX - al)
        return NULL;
    n = (n + al - 1) & ~(al - 1);
    if (n == 0)
        n = al;
    if (!a->head || a->head->size - a->used < n) {
        size_t size = n > BLOCK / 4 ? n : BLOCK;
        mm_arena_block *b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        a->bytes += sizeof *b + size;
        if (size != BLOCK && a->head) {
            /* a large request: its own block, behind the current one */
            b->next = a->head->next;
            a->head->next = b;
            memset(b->data, 0, n);
            return b->data;
        }
        b->next = a->head;
        a->head = b;
        a->used = 0;
    }
    void *p = a->head->data + a->used;
    a->used += n;
    memset(p, 0, n);
    return p;
}

void *mm_arena_dup(mm_arena *a, const void *p, size_t n)
{
    void *q = mm_arena_alloc(a, n);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

char *mm_arena_strdup(mm_arena *a, const char *s)
{
    return mm_arena_dup(a, s, strlen(s) + 1);
}

void mm_arena_free(mm_arena *a)
{
    mm_arena_block *b = a->head;
    while (b) {
        mm_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->used = a->bytes = 0;
}
