/*
 * rule_ftp.h - the ftpbounce keyword: an FTP PORT command naming another
 * host than the client that sent it (the bounce scan of RFC 2577).
 */
#ifndef MM_RULE_FTP_H
#define MM_RULE_FTP_H

#include "util/util.h"

#include <stdbool.h>
#include <stdint.h>

/* Does a PORT command line in d[0..n) (FTP commands from the client) name
 * an address other than client's? Read as Suricata reads it: the first
 * four comma-separated numbers after the command. */
bool mm_ftpbounce(const uint8_t *d, uint32_t n, const mm_ip *client);

#endif
