/*
 * ports.h - the ports an exposure check looks at: what each one is, why it
 * matters when the Internet can reach it, and what to do about it, in
 * Japanese and English; port lists as users write them ("22,80,8000-8100",
 * "top100", "maintenance").
 */
#ifndef MM_EXPOSURE_PORTS_H
#define MM_EXPOSURE_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mm_port_group {
    PG_OTHER = 0,
    PG_FILES,        /* file sharing: SMB, NetBIOS, NFS */
    PG_REMOTE,       /* remote access: SSH, telnet, RDP, VNC */
    PG_WEBADMIN,     /* web administration panels */
    PG_DATABASE,
    PG_IOT,          /* ports IoT botnets break in through */
    PG_MAIL,
    PG_FTP,
    PG__COUNT
} mm_port_group;

typedef struct mm_port_info {
    uint16_t port;
    mm_port_group group;
    const char *service;      /* "smb", "telnet", ... */
    const char *why_en, *why_ja;   /* one line: why it matters */
    const char *advice_en, *advice_ja; /* what to do when it is open */
    bool maintenance;         /* should not be reachable from the Internet */
} mm_port_info;

/* What is known of a port; NULL for a port outside the catalogue. */
const mm_port_info *mm_port_info_of(uint16_t port);
/* The catalogue, in its order (grouped). */
const mm_port_info *mm_port_catalogue(size_t *n);
const char *mm_port_group_name(mm_port_group g, bool ja);
/* The group's generic advice, for ports outside the catalogue too. */
const char *mm_port_group_advice(mm_port_group g, bool ja);

/* The distinct advice (ja or en) for the ports of a list as reports write
 * it ("22, 445, 3389"), in the list's order, at most max into out; their
 * number. */
size_t mm_port_advice(const char *list, bool ja, const char **out, size_t max);

/* A list of distinct ports, in ascending order. */
typedef struct mm_portlist {
    uint16_t *v;
    size_t n;
} mm_portlist;

/* "22,80,8000-8100", "top100" (the 100 TCP ports nmap's frequency table
 * ranks first), "maintenance" (the catalogue), "all" (1-65535), or a mix:
 * "top100,8291". A one-line reason in err on garbage or port 0. */
bool mm_portlist_parse(mm_portlist *pl, const char *spec, char *err, size_t errlen);
bool mm_portlist_has(const mm_portlist *pl, uint16_t port);
void mm_portlist_free(mm_portlist *pl);

#endif
