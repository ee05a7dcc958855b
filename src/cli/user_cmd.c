/*
 * user_cmd.c - `mimamori user`: the dashboard's accounts (src/dash/users.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "dash/users.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: mimamori user add --db DB NAME --role analyst|company [--site S]\n"
"                         [--password-file F]\n"
"       mimamori user passwd --db DB NAME [--password-file F]\n"
"       mimamori user remove --db DB NAME\n"
"       mimamori user list --db DB\n"
"\n"
"The dashboard's accounts (mimamori serve). An analyst sees every company;\n"
"a company account (--role company --site S, S a company of the store)\n"
"sees only its own. Passwords are kept as Argon2id hashes (libsodium).\n"
"\n"
"  --db PATH|URL       SQLite file (default mimamori.db) or postgresql://...\n"
"  --role R            analyst or company\n"
"  --site S            the company of a company account\n"
"  --password-file F   the password is F's first line (F '-': standard\n"
"                      input); without it the password is asked on the\n"
"                      terminal, twice, without echo (refused when standard\n"
"                      input is not a terminal). At least 10 characters.\n"
"passwd sets a new password and ends the user's logins; remove deletes the\n"
"account and its logins; list prints name, role, company and lockout.\n"
"  -h, --help          this help\n");
}

/* The first line of a file (without its newline) into pw. */
static bool read_file_pw(const char *path, char *pw, size_t n)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "mimamori user: %s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = fgets(pw, (int)n, f) != NULL;
    if (f != stdin)
        fclose(f);
    if (!ok) {
        fprintf(stderr, "mimamori user: %s: no password in it\n", path);
        return false;
    }
    size_t l = strcspn(pw, "\r\n");
    if (pw[l] == 0 && l + 1 == n) {
        fprintf(stderr, "mimamori user: %s: the password is too long\n", path);
        return false;
    }
    pw[l] = 0;
    return true;
}

/* A line from the terminal without echo. */
static bool ask(const char *prompt, char *pw, size_t n)
{
    struct termios old, quiet;
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return false;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    fputs(prompt, stderr);
    fflush(stderr);
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return false;
    bool ok = fgets(pw, (int)n, stdin) != NULL;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (ok)
        pw[strcspn(pw, "\r\n")] = 0;
    return ok;
}

static bool get_pw(const char *file, char *pw, size_t n)
{
    if (file)
        return read_file_pw(file, pw, n);
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "mimamori user: no terminal to ask the password on: give "
                        "--password-file\n");
        return false;
    }
    char again[MM_PW_MAX + 2];
    if (!ask("password: ", pw, n) || !ask("again: ", again, sizeof again)) {
        fprintf(stderr, "mimamori user: cannot read the password\n");
        return false;
    }
    bool same = strcmp(pw, again) == 0;
    memset(again, 0, sizeof again);
    if (!same)
        fprintf(stderr, "mimamori user: the two passwords differ\n");
    return same;
}

static void print_user(void *ctx, const mm_user *u, int64_t locked_until, int64_t failed)
{
    int64_t now = *(const int64_t *)ctx;
    printf("%s\t%s\t%s\t%s\n", u->name, mm_role_name(u->role), u->site[0] ? u->site : "-",
           locked_until > now ? "locked" : failed ? "failed-logins" : "-");
}

int cmd_user(int argc, char **argv)
{
    enum { O_DB = 256, O_ROLE, O_SITE, O_PWF };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},    {"role", required_argument, 0, O_ROLE},
        {"site", required_argument, 0, O_SITE}, {"password-file", required_argument, 0, O_PWF},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    const char *db_path = "mimamori.db", *role = NULL, *site = NULL, *pwfile = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (o) {
        case O_DB: db_path = optarg; break;
        case O_ROLE: role = optarg; break;
        case O_SITE: site = optarg; break;
        case O_PWF: pwfile = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int rest = argc - 1 - optind;
    char **args = argv + 1 + optind;
    bool is_list = !strcmp(sub, "list");
    if (strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "remove") && !is_list) {
        usage(stderr);
        return 2;
    }
    if (rest != (is_list ? 0 : 1) || (strcmp(sub, "add") && (role || site)) ||
        ((is_list || !strcmp(sub, "remove")) && pwfile)) {
        usage(stderr);
        return 2;
    }
    mm_role r = 0;
    if (!strcmp(sub, "add") && !(r = mm_role_parse(role))) {
        fprintf(stderr, "mimamori user: --role analyst or --role company\n");
        return 2;
    }
    char err[512];
    mm_db *db = mm_db_open(db_path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "mimamori user: %s\n", err);
        return 1;
    }
    int rc = 1;
    if (mm_store_init(db) != 0) {
        fprintf(stderr, "mimamori user: store: %s\n", mm_db_error(db));
        goto out;
    }
    if (is_list) {
        int64_t now = (int64_t)time(NULL) * 1000000;
        rc = mm_user_each(db, print_user, &now) == 0 ? 0 : 1;
        if (rc)
            fprintf(stderr, "mimamori user: store: %s\n", mm_db_error(db));
        goto out;
    }
    if (!strcmp(sub, "remove")) {
        rc = mm_user_remove(db, args[0], err, sizeof err) == 0 ? 0 : 1;
    } else {
        char pw[MM_PW_MAX + 2];
        if (!get_pw(pwfile, pw, sizeof pw))
            goto out;
        rc = (!strcmp(sub, "add") ? mm_user_add(db, args[0], r, site, pw, err, sizeof err)
                                  : mm_user_passwd(db, args[0], pw, err, sizeof err)) == 0
                 ? 0
                 : 1;
        memset(pw, 0, sizeof pw);
    }
    if (rc)
        fprintf(stderr, "mimamori user: %s\n", err);
out:
    mm_db_close(db);
    return rc;
}
