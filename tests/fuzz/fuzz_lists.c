/* Fuzz target: the detectors' list files (names, hosts-file and adblock
 * lines, sinkhole addresses and prefixes, hashes). Byte 0 picks the kind;
 * the rest is the file. Every entry kept must make a valid netlist, and
 * lookups of names taken from the input must not misbehave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/det.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int kind = data[0] % MM_LIST__COUNT;
    mm_detect *d = calloc(1, sizeof(*d));
    if (!d || !(d->nets = malloc(1u << 20)))
        abort();
    d->nets[0] = 0;
    FILE *fp = fmemopen((void *)(data + 1), size - 1, "r");
    if (!fp)
        abort();
    if (!det_list_read(d, kind, fp))
        abort();
    fclose(fp);
    char err[256];
    if (!det_lists_finish(d, err, sizeof err)) {
        fprintf(stderr, "entries kept but not a netlist: %s\n", err);
        abort();   /* add_entry must only keep what parses */
    }
    /* look up a name made of the input's last bytes */
    char name[300];
    size_t n = size - 1 < sizeof name - 1 ? size - 1 : sizeof name - 1;
    memcpy(name, data + size - n, n);
    name[n] = 0;
    (void)det_name_match(d, kind, name);
    mm_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.v = (data[size - 1] & 1) ? 6 : 4;
    memcpy(ip.b, data + 1, size - 1 < 16 ? size - 1 : 16);
    (void)det_sinkhole(d, &ip);
    det_lists_free(d);
    free(d);
    return 0;
}
