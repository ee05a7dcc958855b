/*
 * authz.c - the one authorisation decision of the dashboard (authz.h).
 */
#include "dash/authz.h"

#include <stdio.h>
#include <string.h>

const char *mm_access_name(mm_access a)
{
    switch (a) {
    case MM_ACC_PUBLIC: return "public";
    case MM_ACC_SESSION: return "session";
    case MM_ACC_ANALYST: return "analyst";
    case MM_ACC_COMPANY: return "company";
    }
    return "?";
}

/* The parameter from the query, else the form; NULL when absent. Two
 * different values of one name in one request count as a third, bad one
 * (ambiguous: refused by the caller). */
static const char *param(const mm_web_req *req, const char *name, bool *ambiguous)
{
    const char *v = NULL;
    const mm_web_form *f[2] = {&req->args, &req->form};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < f[k]->n; i++) {
            if (strcmp(f[k]->f[i].key, name) != 0)
                continue;
            if (v && strcmp(v, f[k]->f[i].value) != 0)
                *ambiguous = true;
            v = f[k]->f[i].value;
        }
    return v;
}

mm_authz mm_dash_authorize(const mm_session *s, const mm_dash_route *r, const mm_web_req *req,
                           mm_site_resolve resolve, void *rctx, int64_t *site)
{
    *site = 0;
    if (!r)
        return MM_AUTHZ_NOT_FOUND;
    if (r->access == MM_ACC_PUBLIC)
        return MM_AUTHZ_ALLOW;
    if (!s)
        return MM_AUTHZ_LOGIN;
    const mm_user *u = &s->user;
    bool amb = false;
    const char *id = param(req, "site", &amb), *name = param(req, "company", &amb);
    if (amb)
        return MM_AUTHZ_NOT_FOUND;
    int64_t named = 0;
    if (id || name) {
        named = resolve(rctx, id, name);
        /* both given: they must name the same company */
        if (named && id && name && resolve(rctx, id, NULL) != resolve(rctx, NULL, name))
            named = 0;
    }
    switch (u->role) {
    case MM_ROLE_COMPANY:
        if (u->site_id <= 0)
            return MM_AUTHZ_FORBIDDEN;
        if ((id || name) && named != u->site_id)
            return MM_AUTHZ_NOT_FOUND;
        if (r->access == MM_ACC_ANALYST)
            return MM_AUTHZ_FORBIDDEN;
        if (r->access == MM_ACC_COMPANY)
            *site = u->site_id;
        return MM_AUTHZ_ALLOW;
    case MM_ROLE_ANALYST:
        if (r->access == MM_ACC_COMPANY) {
            if (!named)
                return MM_AUTHZ_NOT_FOUND;
            *site = named;
        }
        return MM_AUTHZ_ALLOW;
    }
    return MM_AUTHZ_FORBIDDEN;
}
