/*
 * attackgen.h - pieces shared by the scenario generator's files
 * (attackgen.c: the scenarios table and most families; attackgen_web.c:
 * exploit-kit deliveries and information stealers).
 */
#ifndef MM_ATTACKGEN_H
#define MM_ATTACKGEN_H

#include "pktw.h"

#define SEC 1000000ULL

/* 192.168.1.i, the fictional company's hosts. */
const addr *lan_host(int i);
/* A small Windows program (DOS stub, PE header, padding) of n bytes. */
size_t fake_pe(uint8_t *o, size_t n);

/* attackgen_web.c */
void sc_ek_rig(void);
void sc_ek_vbscript(void);
void sc_ek_xor(void);
void sc_ek_plugin(void);
void sc_news_benign(void);
void sc_download_benign(void);
void sc_stealer_http(void);
void sc_stealer_lokibot(void);
void sc_stealer_smtp(void);
void sc_stealer_ftp(void);
void sc_upload_benign(void);
void sc_mail_benign(void);
void sc_ftp_benign(void);

#endif
