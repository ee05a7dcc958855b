/*
 * smb.c - SMB1, SMB2 and SMB3 over NetBIOS session service (TCP 139) and
 * direct TCP (445).
 *
 * Framing: every message has a 4-byte NetBIOS header (type, 24-bit length,
 * as direct TCP and Suricata read it). We keep the first SMB_KEEP bytes of
 * each message (headers, names, security blobs) and skip the rest (file
 * data), so a 16 MB WRITE costs nothing more than a small one.
 *
 * Transactions: a request waits in a small table until its response
 * (SMB1: MID, PID, UID; SMB2: MessageId); the pair is one smb event with
 * Suricata's fields (command, status, dialect, session and tree ids, share
 * or named pipe, file name, disposition, NTLMSSP user...). An SMB2 response
 * without its request (capture started mid-flow, one-sided mirror) is
 * logged alone; an SMB1 one is not, as Suricata's SMB1 parser. READ and WRITE are not logged one by one: they add up per
 * open file, logged once when it is closed or the flow ends.
 *
 * Detectors (MS17-010) see every SMB1 message with its transaction fields
 * (TRANS, TRANS2, NT_TRANS and secondaries) through mm_app_observe.
 * SMB3 encrypted messages (transform header) are counted, not read.
 */
#include "proto/app.h"
#include "proto/dcerpc.h"
#include "proto/file.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#define SMB_KEEP 4096u      /* bytes kept of each message */
#define SMB_TXS 8           /* requests awaiting their response */
#define SMB_FILES 16        /* open files followed per flow */
#define SMB_OOO_MAX (1u << 20) /* file bytes held ahead of a missing part, per file */
#define SMB_TREES 8
#define SMB_NAME 256
#define SMB_DIALECTS 128    /* client dialect list, '\n'-separated */
#define SMB_USER 64

typedef struct smb_dir {
    uint8_t nb[4];
    uint8_t nb_len;         /* NetBIOS header bytes read so far */
    bool in_msg;
    uint8_t type;           /* NetBIOS message type */
    uint32_t msg_len, got;  /* message length, bytes of it seen */
    uint32_t kept;          /* bytes of it in buf */
    bool gap_in_kept;       /* a gap hit the kept part: message not read */
    bool lost;              /* out of step: wait for a message start */
    uint8_t *buf;           /* SMB_KEEP bytes, allocated on first message */
    /* file data the current message carries (WRITE request, READ response) */
    bool region_done;
    struct smb_file *df;    /* the open file it belongs to (NULL: none) */
    bool dwrite;            /* a WRITE request (else a READ response) */
    uint32_t dstart, dend;  /* its bytes in the message */
    uint32_t fed;           /* message offset up to which they were given */
    uint64_t doff;          /* file offset of dstart */
} smb_dir;

typedef struct smb_tx {
    bool used;
    uint8_t ver;            /* 1 or 2 */
    uint16_t cmd;
    uint64_t key;
    uint64_t ts;
    uint64_t session_id;
    uint32_t tree_id;
    uint16_t subcmd;
    bool has_subcmd, has_disp, delete_on_close, has_fid;
    uint32_t disposition;
    uint8_t fid[16];
    uint32_t io_len;        /* READ/WRITE: bytes asked or written */
    uint64_t io_off;        /* READ: file offset asked */
    uint64_t eof;           /* CREATE response: the file's size */
    bool is_dir;            /* CREATE: of a directory */
    bool has_times;         /* CREATE response: its four times (Unix seconds) */
    uint64_t times[4];      /* created, accessed, modified, changed */
    uint8_t set_info;       /* SET_INFO: SI_* */
    char rename_to[SMB_NAME];
    char name[SMB_NAME];    /* share path or file name */
    char dialects[SMB_DIALECTS];
    char user[SMB_USER], domain[SMB_USER], host[SMB_USER], ntlm_version[32];
    char req_os[SMB_USER], req_lm[SMB_USER], resp_os[SMB_USER], resp_lm[SMB_USER];
    uint8_t guid[16], server_guid[16];
    bool has_guid, has_server_guid;
    /* IOCTL pipe transceive: the DCE/RPC request and its response */
    bool has_dreq, has_dres;
    mm_dce_pdu dreq, dres;
} smb_tx;

/* File bytes that came before earlier ones (pipelined READs answered out
 * of order), held until the bytes before them arrive. */
typedef struct smb_chunk {
    struct smb_chunk *next;
    uint64_t off;
    uint32_t n;
    uint8_t d[];
} smb_chunk;

typedef struct smb_file {
    bool used;
    uint8_t ver;
    uint8_t fid[16];
    uint64_t session_id;
    uint32_t tree_id;
    uint64_t read, written;
    uint32_t read_ops, write_ops;
    uint32_t status;        /* of the last read or write */
    bool nt;
    uint64_t ts;
    char name[SMB_NAME];
    mm_file *file;          /* content read or written, as a file */
    uint64_t eof;           /* size when opened */
    int8_t by_write;        /* -1: not fed yet; 1: by writes; 0: by reads */
    uint64_t next_off;      /* where the next sequential bytes go */
    bool broken;            /* not sequential, or a gap: the file is cut */
    uint64_t last_use;      /* s->file_uses when last opened, read or written */
    smb_chunk *ooo;         /* held bytes, by offset */
    uint32_t ooo_bytes;
    bool overlap;           /* bytes came for a part already had (smb.file_overlap) */
    struct smb_pipe *pipe;  /* on a named pipe: its DCE/RPC (allocated when used) */
} smb_file;

/* A named pipe's DCE/RPC: the last PDU written (request) and read, and
 * the interfaces its binds got accepted. */
typedef struct smb_pipe {
    bool has_dreq, has_dres;
    mm_dce_pdu dreq, dres;
    uint8_t nbound;
    mm_dce_iface bound[MM_DCE_IFACES];
    uint32_t logged;        /* request/answer pairs logged one by one */
} smb_pipe;

typedef struct smb_tree {
    uint32_t id;
    bool used, pipe;
    char name[SMB_NAME];    /* the share the tree connect named */
} smb_tree;

typedef struct smb_state {
    smb_dir d[2];
    smb_tx tx[SMB_TXS];
    smb_file file[SMB_FILES];
    smb_tree tree[SMB_TREES];
    uint64_t tx_id;
    uint64_t file_uses;     /* counter for the least recently used file */
    char dialect[16];
    char smb1_dialects[SMB_DIALECTS];   /* of the last SMB1 NEGOTIATE request */
    uint64_t encrypted;
} smb_state;

/* --- names ------------------------------------------------------------ */

static const char *smb1_cmd_name(uint8_t c)
{
    switch (c) {
    case 0x00: return "SMB1_COMMAND_CREATE_DIRECTORY";
    case 0x01: return "SMB1_COMMAND_DELETE_DIRECTORY";
    case 0x02: return "SMB1_COMMAND_OPEN";
    case 0x03: return "SMB1_COMMAND_CREATE";
    case 0x04: return "SMB1_COMMAND_CLOSE";
    case 0x05: return "SMB1_COMMAND_FLUSH";
    case 0x06: return "SMB1_COMMAND_DELETE";
    case 0x07: return "SMB1_COMMAND_RENAME";
    case 0x08: return "SMB1_COMMAND_QUERY_INFORMATION";
    case 0x09: return "SMB1_COMMAND_SET_INFORMATION";
    case 0x0a: return "SMB1_COMMAND_READ";
    case 0x0b: return "SMB1_COMMAND_WRITE";
    case 0x0c: return "SMB1_COMMAND_LOCK_BYTE_RANGE";
    case 0x0d: return "SMB1_COMMAND_UNLOCK_BYTE_RANGE";
    case 0x0e: return "SMB1_COMMAND_CREATE_TEMPORARY";
    case 0x0f: return "SMB1_COMMAND_CREATE_NEW";
    case 0x10: return "SMB1_COMMAND_CHECK_DIRECTORY";
    case 0x11: return "SMB1_COMMAND_PROCESS_EXIT";
    case 0x12: return "SMB1_COMMAND_SEEK";
    case 0x13: return "SMB1_COMMAND_LOCK_AND_READ";
    case 0x14: return "SMB1_COMMAND_WRITE_AND_UNLOCK";
    case 0x1a: return "SMB1_COMMAND_READ_RAW";
    case 0x1d: return "SMB1_COMMAND_WRITE_RAW";
    case 0x22: return "SMB1_COMMAND_SET_INFORMATION2";
    case 0x23: return "SMB1_COMMAND_QUERY_INFORMATION2";
    case 0x24: return "SMB1_COMMAND_LOCKING_ANDX";
    case 0x25: return "SMB1_COMMAND_TRANS";
    case 0x26: return "SMB1_COMMAND_TRANS_SECONDARY";
    case 0x27: return "SMB1_COMMAND_IOCTL";
    case 0x2b: return "SMB1_COMMAND_ECHO";
    case 0x2c: return "SMB1_COMMAND_WRITE_AND_CLOSE";
    case 0x2d: return "SMB1_COMMAND_OPEN_ANDX";
    case 0x2e: return "SMB1_COMMAND_READ_ANDX";
    case 0x2f: return "SMB1_COMMAND_WRITE_ANDX";
    case 0x31: return "SMB1_COMMAND_CLOSE_AND_TREE_DISC";
    case 0x32: return "SMB1_COMMAND_TRANS2";
    case 0x33: return "SMB1_COMMAND_TRANS2_SECONDARY";
    case 0x34: return "SMB1_COMMAND_FIND_CLOSE2";
    case 0x35: return "SMB1_COMMAND_FIND_NOTIFY_CLOSE";
    case 0x70: return "SMB1_COMMAND_TREE_CONNECT";
    case 0x71: return "SMB1_COMMAND_TREE_DISCONNECT";
    case 0x72: return "SMB1_COMMAND_NEGOTIATE_PROTOCOL";
    case 0x73: return "SMB1_COMMAND_SESSION_SETUP_ANDX";
    case 0x74: return "SMB1_COMMAND_LOGOFF_ANDX";
    case 0x75: return "SMB1_COMMAND_TREE_CONNECT_ANDX";
    case 0x7e: return "SMB1_COMMAND_SECURITY_PACKAGE_ANDX";
    case 0x80: return "SMB1_COMMAND_QUERY_INFORMATION_DISK";
    case 0x81: return "SMB1_COMMAND_SEARCH";
    case 0x82: return "SMB1_COMMAND_FIND";
    case 0x83: return "SMB1_COMMAND_FIND_UNIQUE";
    case 0x84: return "SMB1_COMMAND_FIND_CLOSE";
    case 0xa0: return "SMB1_COMMAND_NT_TRANS";
    case 0xa1: return "SMB1_COMMAND_NT_TRANS_SECONDARY";
    case 0xa2: return "SMB1_COMMAND_NT_CREATE_ANDX";
    case 0xa4: return "SMB1_COMMAND_NT_CANCEL";
    case 0xa5: return "SMB1_COMMAND_NT_RENAME";
    case 0xc0: return "SMB1_COMMAND_OPEN_PRINT_FILE";
    case 0xc1: return "SMB1_COMMAND_WRITE_PRINT_FILE";
    case 0xc2: return "SMB1_COMMAND_CLOSE_PRINT_FILE";
    case 0xc3: return "SMB1_COMMAND_GET_PRINT_QUEUE";
    default: return NULL;
    }
}

static const char *const smb2_cmds[] = {
    "SMB2_COMMAND_NEGOTIATE_PROTOCOL", "SMB2_COMMAND_SESSION_SETUP",
    "SMB2_COMMAND_SESSION_LOGOFF", "SMB2_COMMAND_TREE_CONNECT",
    "SMB2_COMMAND_TREE_DISCONNECT", "SMB2_COMMAND_CREATE", "SMB2_COMMAND_CLOSE",
    "SMB2_COMMAND_FLUSH", "SMB2_COMMAND_READ", "SMB2_COMMAND_WRITE", "SMB2_COMMAND_LOCK",
    "SMB2_COMMAND_IOCTL", "SMB2_COMMAND_CANCEL", "SMB2_COMMAND_KEEPALIVE", "SMB2_COMMAND_FIND",
    "SMB2_COMMAND_CHANGE_NOTIFY", "SMB2_COMMAND_GET_INFO", "SMB2_COMMAND_SET_INFO",
    "SMB2_COMMAND_OPLOCK_BREAK",
};

enum {
    SMB2_NEGOTIATE = 0, SMB2_SESSION_SETUP = 1, SMB2_TREE_CONNECT = 3, SMB2_CREATE = 5,
    SMB2_CLOSE = 6, SMB2_READ = 8, SMB2_WRITE = 9, SMB2_IOCTL = 11, SMB2_CANCEL = 12, SMB2_GET_INFO = 16,
    SMB2_SET_INFO = 17, SMB2_OPLOCK_BREAK = 18,
};

/* What an SMB2 SET_INFO request changes (Suricata keeps a transaction for
 * these two only). */
enum { SI_NONE, SI_RENAME, SI_DISPOSITION };

enum {
    SMB1_CLOSE = 0x04, SMB1_TRANS = 0x25, SMB1_TRANS_SEC = 0x26, SMB1_READ_ANDX = 0x2e,
    SMB1_WRITE_ANDX = 0x2f, SMB1_TRANS2 = 0x32, SMB1_TRANS2_SEC = 0x33,
    SMB1_NEGOTIATE = 0x72, SMB1_SESSION_SETUP = 0x73, SMB1_TREE_CONNECT_ANDX = 0x75,
    SMB1_NT_TRANS = 0xa0, SMB1_NT_TRANS_SEC = 0xa1, SMB1_NT_CREATE_ANDX = 0xa2,
    SMB1_NT_CANCEL = 0xa4,
};

#define STATUS_PENDING 0x00000103u

static const struct {
    uint32_t code;
    const char *name;
} nt_status[] = {
    {0x00000000, "STATUS_SUCCESS"},
    {0x00000103, "STATUS_PENDING"},
    {0x0000010C, "STATUS_NOTIFY_ENUM_DIR"},
    {0x80000005, "STATUS_BUFFER_OVERFLOW"},
    {0x80000006, "STATUS_NO_MORE_FILES"},
    {0xC0000001, "STATUS_UNSUCCESSFUL"},
    {0xC0000002, "STATUS_NOT_IMPLEMENTED"},
    {0xC0000003, "STATUS_INVALID_INFO_CLASS"},
    {0xC0000008, "STATUS_INVALID_HANDLE"},
    {0xC000000D, "STATUS_INVALID_PARAMETER"},
    {0xC000000F, "STATUS_NO_SUCH_FILE"},
    {0xC0000010, "STATUS_INVALID_DEVICE_REQUEST"},
    {0xC0000011, "STATUS_END_OF_FILE"},
    {0xC0000016, "STATUS_MORE_PROCESSING_REQUIRED"},
    {0xC0000022, "STATUS_ACCESS_DENIED"},
    {0xC0000023, "STATUS_BUFFER_TOO_SMALL"},
    {0xC0000033, "STATUS_OBJECT_NAME_INVALID"},
    {0xC0000034, "STATUS_OBJECT_NAME_NOT_FOUND"},
    {0xC0000035, "STATUS_OBJECT_NAME_COLLISION"},
    {0xC000003A, "STATUS_OBJECT_PATH_NOT_FOUND"},
    {0xC0000043, "STATUS_SHARING_VIOLATION"},
    {0xC0000056, "STATUS_DELETE_PENDING"},
    {0xC000006A, "STATUS_WRONG_PASSWORD"},
    {0xC000006D, "STATUS_LOGON_FAILURE"},
    {0xC000006E, "STATUS_ACCOUNT_RESTRICTION"},
    {0xC0000071, "STATUS_PASSWORD_EXPIRED"},
    {0xC0000072, "STATUS_ACCOUNT_DISABLED"},
    {0xC00000AC, "STATUS_PIPE_NOT_AVAILABLE"},
    {0xC00000B0, "STATUS_PIPE_DISCONNECTED"},
    {0xC00000BA, "STATUS_FILE_IS_A_DIRECTORY"},
    {0xC00000BB, "STATUS_NOT_SUPPORTED"},
    {0xC00000C9, "STATUS_NETWORK_NAME_DELETED"},
    {0xC00000CC, "STATUS_BAD_NETWORK_NAME"},
    {0xC0000101, "STATUS_DIRECTORY_NOT_EMPTY"},
    {0xC0000120, "STATUS_CANCELLED"},
    {0xC000019C, "STATUS_FS_DRIVER_REQUIRED"},
    {0xC0000203, "STATUS_USER_SESSION_DELETED"},
    {0xC0000205, "STATUS_INSUFF_SERVER_RESOURCES"},
    {0xC0000225, "STATUS_NOT_FOUND"},
    {0xC0000234, "STATUS_ACCOUNT_LOCKED_OUT"},
    {0xC000035C, "STATUS_NETWORK_SESSION_EXPIRED"},
};

static const char *nt_status_name(uint32_t c)
{
    for (size_t i = 0; i < sizeof nt_status / sizeof nt_status[0]; i++)
        if (nt_status[i].code == c)
            return nt_status[i].name;
    return NULL;
}

/* SMB1 DOS errors (flags2 without NT status): class ERRDOS or ERRSRV. */
static const char *dos_error_name(uint8_t cls, uint16_t code)
{
    if (cls == 0)
        return "STATUS_SUCCESS";
    if (cls == 1) {
        switch (code) {
        case 1: return "DOS_ERRbadfunc";
        case 2: return "DOS_ERRbadfile";
        case 3: return "DOS_ERRbadpath";
        case 5: return "DOS_ERRnoaccess";
        case 6: return "DOS_ERRbadfid";
        case 50: return "DOS_ERRunsup";
        }
    } else if (cls == 2) {
        switch (code) {
        case 1: return "SRV_ERRerror";
        case 2: return "SRV_ERRbadpw";
        case 4: return "SRV_ERRaccess";
        case 5: return "SRV_ERRinvtid";
        case 91: return "SRV_BADUID";
        case 22: return "SRV_ERRbadcmd";
        }
    }
    return NULL;
}

static const char *const dispositions[] = {
    "FILE_SUPERSEDE", "FILE_OPEN", "FILE_CREATE", "FILE_OPEN_IF", "FILE_OVERWRITE",
    "FILE_OVERWRITE_IF",
};

/* A GUID or SMB2 file id as Suricata prints it: the first three groups
 * and the fourth are little-endian, the last is two LE16 then one LE32. */
static void guid_str(const uint8_t g[16], char out[37])
{
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%04x%08x", mm_le32(g), mm_le16(g + 4),
             mm_le16(g + 6), mm_le16(g + 8), mm_le16(g + 10), mm_le32(g + 12));
}

/* A string in an SMB message: UTF-16LE (n bytes, or up to a NUL when n is
 * 0 and it must be found) or ASCII. */
static void smb_string(const uint8_t *p, size_t avail, bool unicode, char *out, size_t outlen)
{
    if (unicode) {
        mm_utf16le_to_utf8(p, avail, out, outlen);
        return;
    }
    size_t k = 0;
    while (k < avail && k + 1 < outlen && p[k])
        k++;
    memcpy(out, p, k);
    out[k] = 0;
}

/* --- the table of requests -------------------------------------------- */

static void log_tx(mm_app *a, mm_flow *f, smb_state *s, const smb_tx *t, int resp_ver,
                   bool has_status, uint32_t status, bool nt, uint64_t ts);

static smb_tx *tx_new(mm_app *a, mm_flow *f, smb_state *s, uint8_t ver, uint16_t cmd,
                      uint64_t key, uint64_t ts)
{
    smb_tx *t = NULL, *oldest = &s->tx[0];
    for (int i = 0; i < SMB_TXS; i++) {
        if (!s->tx[i].used) {
            t = &s->tx[i];
            break;
        }
        if (s->tx[i].ts < oldest->ts)
            oldest = &s->tx[i];
    }
    if (!t) {
        /* full: the oldest request gets no answer now */
        log_tx(a, f, s, oldest, 0, false, 0, true, oldest->ts);
        mm_app_error(a, f);
        t = oldest;
    }
    memset(t, 0, sizeof(*t));
    t->used = true;
    t->ver = ver;
    t->cmd = cmd;
    t->key = key;
    t->ts = ts;
    return t;
}

static smb_tx *tx_find(smb_state *s, uint8_t ver, uint16_t cmd, uint64_t key)
{
    for (int i = 0; i < SMB_TXS; i++)
        if (s->tx[i].used && s->tx[i].ver == ver && s->tx[i].cmd == cmd && s->tx[i].key == key)
            return &s->tx[i];
    return NULL;
}

static smb_tree *tree_get(smb_state *s, uint32_t id, bool add)
{
    smb_tree *fr = NULL;
    for (int i = 0; i < SMB_TREES; i++) {
        if (s->tree[i].used && s->tree[i].id == id)
            return &s->tree[i];
        if (!s->tree[i].used && !fr)
            fr = &s->tree[i];
    }
    if (!add)
        return NULL;
    if (!fr)
        fr = &s->tree[id % SMB_TREES];
    fr->used = true;
    fr->id = id;
    fr->pipe = false;
    fr->name[0] = 0;
    return fr;
}

static smb_file *file_find(smb_state *s, uint8_t ver, const uint8_t *fid)
{
    for (int i = 0; i < SMB_FILES; i++)
        if (s->file[i].used && s->file[i].ver == ver && memcmp(s->file[i].fid, fid, 16) == 0) {
            s->file[i].last_use = ++s->file_uses;
            return &s->file[i];
        }
    return NULL;
}

static void log_file(mm_app *a, mm_flow *f, smb_state *s, smb_file *fl, uint64_t ts,
                     bool unclosed);
static void file_break(mm_app *a, smb_file *fl);

static smb_file *file_add(mm_app *a, mm_flow *f, smb_state *s, const smb_tx *t, uint64_t ts)
{
    smb_file *fl = file_find(s, t->ver, t->fid);
    if (fl) {
        log_file(a, f, s, fl, ts, false);  /* the id is used again: the old one ends */
    } else {
        for (int i = 0; i < SMB_FILES && !fl; i++)
            if (!s->file[i].used)
                fl = &s->file[i];
        if (!fl) {
            /* too many open: the one used least recently is logged now */
            fl = &s->file[0];
            for (int i = 1; i < SMB_FILES; i++)
                if (s->file[i].last_use < fl->last_use)
                    fl = &s->file[i];
            log_file(a, f, s, fl, ts, false);
        }
    }
    memset(fl, 0, sizeof(*fl));
    fl->used = true;
    fl->last_use = ++s->file_uses;
    fl->ver = t->ver;
    memcpy(fl->fid, t->fid, 16);
    fl->session_id = t->session_id;
    fl->tree_id = t->tree_id;
    fl->ts = ts;
    fl->eof = t->eof;
    fl->by_write = -1;
    memcpy(fl->name, t->name, sizeof fl->name);
    return fl;
}

/* --- events ----------------------------------------------------------- */

static void common(mm_json *j, smb_state *s, uint64_t id, const char *cmd, uint64_t session,
                   uint32_t tree)
{
    mj_u64(j, "id", id);
    mj_str(j, "dialect", s->dialect[0] ? s->dialect : "unknown");
    mj_str(j, "command", cmd);
    mj_u64(j, "session_id", session);
    mj_u64(j, "tree_id", tree);
}

static void status_fields(mm_json *j, uint32_t status, bool nt)
{
    char code[16];
    const char *name;
    if (nt) {
        name = nt_status_name(status);
        snprintf(code, sizeof code, "0x%x", status);
    } else {
        uint16_t ec = (uint16_t)(status >> 16);
        name = dos_error_name((uint8_t)status, ec);
        snprintf(code, sizeof code, "0x%04x", ec);
    }
    if (name)
        mj_str(j, "status", name);
    mj_str(j, "status_code", code);
}

static void log_tx(mm_app *a, mm_flow *f, smb_state *s, const smb_tx *t, int resp_ver,
                   bool has_status, uint32_t status, bool nt, uint64_t ts)
{
    (void)resp_ver;
    char namebuf[48];
    const char *cmd;
    if (t->ver == 1) {
        cmd = smb1_cmd_name((uint8_t)t->cmd);
        if (!cmd) {
            snprintf(namebuf, sizeof namebuf, "SMB1_COMMAND_UNKNOWN_0x%02x", t->cmd);
            cmd = namebuf;
        }
    } else {
        cmd = t->cmd < sizeof smb2_cmds / sizeof smb2_cmds[0] ? smb2_cmds[t->cmd] : NULL;
        if (!cmd) {
            snprintf(namebuf, sizeof namebuf, "SMB2_COMMAND_UNKNOWN_0x%04x", t->cmd);
            cmd = namebuf;
        }
    }
    /* a tree connect's share is a named pipe when its response says so (as
     * Suricata: without a successful response it is a share) */
    bool is_tree = (t->ver == 2 && t->cmd == SMB2_TREE_CONNECT) ||
                   (t->ver == 1 && t->cmd == SMB1_TREE_CONNECT_ANDX);
    const smb_tree *ptr = is_tree && has_status && status == 0 ? tree_get(s, t->tree_id, false)
                                                               : NULL;
    bool pipe = ptr && ptr->pipe;
    {
        /* the rules' smb.share and smb.named_pipe, as Suricata's: the
         * share a tree connect names, as smb.named_pipe when it is a pipe */
        size_t nl = strlen(t->name);
        int id = !is_tree ? -1 : pipe ? MM_BUF_SMB_NAMED_PIPE : MM_BUF_SMB_SHARE;
        mm_obs_buf b[3];
        int nbuf = 0;
        if (id >= 0 && nl)
            b[nbuf++] = (mm_obs_buf){(uint8_t)id, (const uint8_t *)t->name, (uint32_t)nl};
        /* and smb.ntlmssp_user / smb.ntlmssp_domain of a session setup */
        if (t->user[0])
            b[nbuf++] = (mm_obs_buf){MM_BUF_SMB_NTLMSSP_USER, (const uint8_t *)t->user,
                                     (uint32_t)strlen(t->user)};
        if (t->domain[0])
            b[nbuf++] = (mm_obs_buf){MM_BUF_SMB_NTLMSSP_DOMAIN, (const uint8_t *)t->domain,
                                     (uint32_t)strlen(t->domain)};
        if (nbuf) {
            mm_obs_buffers ob = {b, nbuf, NULL, NULL, NULL, NULL};
            mm_app_observe(a, f, MM_TO_SERVER, MM_OBS_BUFFERS, &ob, ts ? ts : t->ts);
        }
    }
    mm_json *j = mm_app_event_begin(a, f, ts ? ts : t->ts, "smb", MM_TO_SERVER, false);
    mj_obj_open(j, "smb");
    common(j, s, ++s->tx_id, cmd, t->session_id, t->tree_id);
    if (has_status)
        status_fields(j, status, nt);
    if (is_tree && t->name[0]) {
        mj_str(j, pipe ? "named_pipe" : "share", t->name);
        mj_str(j, "share_type", pipe ? "PIPE" : "FILE");
    } else if (t->set_info == SI_RENAME) {
        mj_obj_open(j, "rename");
        mj_str(j, "from", t->name);
        mj_str(j, "to", t->rename_to);
        mj_obj_close(j);
    } else if (t->name[0]) {
        mj_str(j, t->is_dir ? "directory" : "filename", t->name);
    } else if (t->ver == 2 && t->cmd == SMB2_CREATE) {
        mj_str(j, "filename", "<share_root>");      /* as Suricata (and Zeek) name it */
    }
    if (t->set_info == SI_DISPOSITION)
        mj_str(j, "access", t->delete_on_close ? "delete on close" : "normal");
    if (t->has_times) {
        mj_u64(j, "created", t->times[0]);
        mj_u64(j, "accessed", t->times[1]);
        mj_u64(j, "modified", t->times[2]);
        mj_u64(j, "changed", t->times[3]);
        mj_u64(j, "size", t->eof);
    }
    if (t->has_disp && t->disposition < sizeof dispositions / sizeof dispositions[0])
        mj_str(j, "disposition", dispositions[t->disposition]);
    if (t->has_disp)
        mj_str(j, "access", t->delete_on_close ? "delete on close" : "normal");
    if (t->has_fid && t->ver == 2) {
        char g[37];
        guid_str(t->fid, g);
        mj_str(j, "fuid", g);
    }
    if (t->has_subcmd) {
        char sc[8];
        snprintf(sc, sizeof sc, "0x%04x", t->subcmd);
        mj_str(j, "subcmd", sc);
    }
    if (t->dialects[0]) {
        mj_arr_open(j, "client_dialects");
        const char *p = t->dialects;
        while (*p) {
            size_t l = strcspn(p, "\n");
            mj_strn(j, NULL, p, l);
            p += l + (p[l] == '\n');
        }
        mj_arr_close(j);
    }
    if (t->has_guid) {
        char g[37];
        guid_str(t->guid, g);
        mj_str(j, "client_guid", g);
    }
    if (t->has_server_guid) {
        char g[37];
        guid_str(t->server_guid, g);
        mj_str(j, "server_guid", g);
    }
    if (t->user[0] || t->domain[0] || t->host[0]) {
        mj_obj_open(j, "ntlmssp");
        mj_str(j, "domain", t->domain);
        mj_str(j, "user", t->user);
        mj_str(j, "host", t->host);
        if (t->ntlm_version[0])
            mj_str(j, "version", t->ntlm_version);
        mj_obj_close(j);
    }
    for (int r = 0; r < 2; r++) {
        const char *os = r ? t->resp_os : t->req_os, *lm = r ? t->resp_lm : t->req_lm;
        if (!os[0] && !lm[0])
            continue;
        mj_obj_open(j, r ? "response" : "request");
        mj_str(j, "native_os", os);
        mj_str(j, "native_lm", lm);
        mj_obj_close(j);
    }
    if (t->has_dreq || t->has_dres)
        mm_dce_json(j, t->has_dreq ? &t->dreq : NULL, t->has_dres ? &t->dres : NULL, false);
    mj_bool(j, "request_done", true);
    mj_bool(j, "response_done", has_status);
    mj_obj_close(j);
    mm_app_event_end(a, f);
}

typedef struct smb_file_ctx {
    smb_state *s;
    const smb_file *fl;
} smb_file_ctx;

/* The smb object of a file's fileinfo event: its transaction as Suricata
 * logs it (the reads or writes that carried it). */
static void smb_file_json(mm_json *j, const void *arg)
{
    const smb_file_ctx *c = arg;
    const smb_file *fl = c->fl;
    bool w = fl->by_write == 1;
    mj_obj_open(j, "smb");
    mj_str(j, "dialect", c->s->dialect[0] ? c->s->dialect : "unknown");
    mj_str(j, "command", fl->ver == 1 ? (w ? "SMB1_COMMAND_WRITE_ANDX" : "SMB1_COMMAND_READ_ANDX")
                                      : (w ? "SMB2_COMMAND_WRITE" : "SMB2_COMMAND_READ"));
    if (fl->read_ops || fl->write_ops)
        status_fields(j, fl->status, fl->nt);
    mj_u64(j, "session_id", fl->session_id);
    mj_u64(j, "tree_id", fl->tree_id);
    if (fl->name[0])
        mj_str(j, "filename", fl->name);
    const smb_tree *tr = tree_get(c->s, fl->tree_id, false);
    if (tr && tr->name[0])
        mj_str(j, tr->pipe ? "named_pipe" : "share", tr->name);
    if (fl->ver == 2) {
        char g[37];
        guid_str(fl->fid, g);
        mj_str(j, "fuid", g);
    }
    mj_obj_close(j);
}

/* The reads (w 0) or writes (w 1) of an open file as one smb event; on a
 * named pipe with the DCE/RPC request and answer they carried. */
static void rw_event(mm_app *a, mm_flow *f, smb_state *s, const smb_file *fl, int w, bool pipe,
                     uint64_t ts)
{
    const char *cmd = fl->ver == 1 ? (w ? "SMB1_COMMAND_WRITE_ANDX" : "SMB1_COMMAND_READ_ANDX")
                                   : (w ? "SMB2_COMMAND_WRITE" : "SMB2_COMMAND_READ");
    mm_json *j = mm_app_event_begin(a, f, ts, "smb", MM_TO_SERVER, false);
    mj_obj_open(j, "smb");
    common(j, s, ++s->tx_id, cmd, fl->session_id, fl->tree_id);
    status_fields(j, fl->status, fl->nt);
    if (fl->name[0])
        mj_str(j, "filename", fl->name);
    if (fl->ver == 2) {
        char g[37];
        guid_str(fl->fid, g);
        mj_str(j, "fuid", g);
    }
    const smb_pipe *pp = fl->pipe;
    if (pipe && pp && (pp->has_dreq || pp->has_dres))
        mm_dce_json(j, pp->has_dreq ? &pp->dreq : NULL, pp->has_dres ? &pp->dres : NULL, false);
    mj_obj_close(j);
    if (pipe) {
        mm_app_event_end(a, f);
        return;
    }
    j = mm_app_event_mimamori(a, f);
    mj_obj_open(j, "smb");
    mj_u64(j, w ? "bytes_written" : "bytes_read", w ? fl->written : fl->read);
    mj_obj_close(j);
    mm_app_event_close(a);
}

static void log_file(mm_app *a, mm_flow *f, smb_state *s, smb_file *fl, uint64_t ts,
                     bool unclosed)
{
    if (!fl->used)
        return;
    /* on a named pipe the writes are requests and the reads their answers:
     * one transaction, as Suricata's DCERPC over SMB, logged as the write
     * (reads alone answer nothing Suricata logs) */
    const smb_tree *tr = tree_get(s, fl->tree_id, false);
    bool pipe = tr && tr->pipe;
    for (int w = 0; w < 2; w++) {
        if (!(w ? fl->write_ops : fl->read_ops) || (pipe && !w))
            continue;
        /* a pipe's answered requests were logged one by one; one still
         * unanswered is logged now */
        if (pipe && fl->pipe && fl->pipe->logged && !fl->pipe->has_dreq)
            continue;
        rw_event(a, f, s, fl, w, pipe, fl->ts);
    }
    if (fl->ooo)
        file_break(a, fl);                  /* bytes never came before held ones */
    if (fl->file) {
        smb_file_ctx c = {s, fl};
        /* whole: closed before the flow ended (Suricata: TRUNCATED else), no
         * gap, nothing past the stream depth, and a file read
         * to its end (one written is as long as what was written) */
        bool cut = unclosed || mm_app_depth_cut(f, 0) || mm_app_depth_cut(f, 1) ||
                   (!fl->write_ops && fl->next_off < fl->eof);
        mm_file_close(a, f, fl->file, !fl->broken && !cut, ts, smb_file_json, &c);
        fl->file = NULL;
    }
    /* a data region still pointing here is forgotten */
    for (int i = 0; i < 2; i++)
        if (s->d[i].df == fl)
            s->d[i].df = NULL;
    mm_app_free(a, fl->pipe, sizeof *fl->pipe);
    fl->pipe = NULL;
    fl->used = false;
}

/* A session setup answered: accepted, or refused for a bad name or
 * password (the detectors count refusals: password guessing). */
static void login(mm_app *a, mm_flow *f, uint32_t status, uint64_t ts)
{
    if (status != 0 && status != 0xC000006Du && status != 0xC0000064u)
        return;             /* more processing, or another error */
    mm_obs_login o = {.service = "smb", .ok = status == 0};
    mm_app_observe(a, f, MM_TO_CLIENT, MM_OBS_LOGIN, &o, ts);
}

/* --- NTLMSSP AUTHENTICATE in a session setup ---------------------------- */

static void ntlmssp(const uint8_t *m, uint32_t n, smb_tx *t)
{
    static const uint8_t sig[12] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 3, 0, 0, 0};
    for (uint32_t i = 0; i + 64 <= n; i++) {
        if (m[i] != 'N' || memcmp(m + i, sig, sizeof sig) != 0)
            continue;
        const uint8_t *b = m + i;
        uint32_t avail = n - i;
        bool uni = mm_le32(b + 60) & 1;
        struct {
            uint32_t off;
            char *out;
        } fld[3] = {{28, t->domain}, {36, t->user}, {44, t->host}};
        for (int k = 0; k < 3; k++) {
            uint16_t len = mm_le16(b + fld[k].off);
            uint32_t off = mm_le32(b + fld[k].off + 4);
            if (off <= avail && len <= avail - off)
                smb_string(b + off, len, uni, fld[k].out, SMB_USER);
        }
        if ((mm_le32(b + 60) & 0x02000000) && avail >= 72)
            snprintf(t->ntlm_version, sizeof t->ntlm_version, "%u.%u build %u rev %u", b[64],
                     b[65], mm_le16(b + 66), b[71]);
        return;
    }
}

/* --- SMB1 ------------------------------------------------------------- */

/* Native OS and LAN manager strings after a security blob of a session
 * setup (boff: offset of the byte block in the message, for alignment). */
static void native_strings(const uint8_t *bytes, uint32_t nbytes, uint32_t boff, uint32_t blob,
                           bool uni, char *os, char *lm)
{
    uint32_t p = blob;
    if (uni && ((boff + p) & 1))
        p++;
    if (p >= nbytes)
        return;
    smb_string(bytes + p, nbytes - p, uni, os, SMB_USER);
    /* the second string follows the first one's terminator */
    uint32_t q = p;
    if (uni) {
        while (q + 1 < nbytes && (bytes[q] || bytes[q + 1]))
            q += 2;
        q += 2;
    } else {
        while (q < nbytes && bytes[q])
            q++;
        q++;
    }
    if (q < nbytes)
        smb_string(bytes + q, nbytes - q, uni, lm, SMB_USER);
}

/* Totals, then parameter count/offset/displacement and data
 * count/offset/displacement from word offset `at` (16-bit transactions'
 * responses and secondaries). */
static void trans_counts16(mm_obs_smb1 *o, const uint8_t *w, uint32_t at)
{
    o->total_param = mm_le16(w);
    o->total_data = mm_le16(w + 2);
    o->param_count = mm_le16(w + at);
    o->param_offset = mm_le16(w + at + 2);
    o->param_disp = mm_le16(w + at + 4);
    o->data_count = mm_le16(w + at + 6);
    o->data_offset = mm_le16(w + at + 8);
    o->data_disp = mm_le16(w + at + 10);
}

/* Transaction fields of TRANS/TRANS2/NT_TRANS and their secondaries. */
static void smb1_trans(const uint8_t *w, uint8_t wc, uint8_t cmd, bool resp, mm_obs_smb1 *o)
{
    uint32_t nw = (uint32_t)wc * 2;
    if (cmd == SMB1_TRANS || cmd == SMB1_TRANS2) {
        if (!resp && nw >= 28) {
            o->total_param = mm_le16(w);
            o->total_data = mm_le16(w + 2);
            o->param_count = mm_le16(w + 18);
            o->param_offset = mm_le16(w + 20);
            o->data_count = mm_le16(w + 22);
            o->data_offset = mm_le16(w + 24);
            o->setup_count = w[26];
            if (o->setup_count && nw >= 30)
                o->subcmd = mm_le16(w + 28);
        } else if (resp && nw >= 20) {
            trans_counts16(o, w, 6);           /* a reserved word before the counts */
            o->setup_count = w[18];
        }
    } else if ((cmd == SMB1_TRANS_SEC || cmd == SMB1_TRANS2_SEC) && nw >= 16) {
        trans_counts16(o, w, 4);
    } else if (cmd == SMB1_NT_TRANS) {
        if (!resp && nw >= 38) {
            o->total_param = mm_le32(w + 3);
            o->total_data = mm_le32(w + 7);
            o->param_count = mm_le32(w + 19);
            o->param_offset = mm_le32(w + 23);
            o->data_count = mm_le32(w + 27);
            o->data_offset = mm_le32(w + 31);
            o->setup_count = w[35];
            o->subcmd = mm_le16(w + 36);
        }
    }
    /* NT_TRANS response and NT_TRANS_SECONDARY share their layout */
    if (((cmd == SMB1_NT_TRANS && resp) || cmd == SMB1_NT_TRANS_SEC) && nw >= 35) {
        o->total_param = mm_le32(w + 3);
        o->total_data = mm_le32(w + 7);
        o->param_count = mm_le32(w + 11);
        o->param_offset = mm_le32(w + 15);
        o->param_disp = mm_le32(w + 19);
        o->data_count = mm_le32(w + 23);
        o->data_offset = mm_le32(w + 27);
        o->data_disp = mm_le32(w + 31);
        if (cmd == SMB1_NT_TRANS && nw >= 36)
            o->setup_count = w[35];
    }
}

static bool pipe_tree(smb_state *s, uint32_t tree_id);
static bool dce_at(const uint8_t *h, uint32_t n, uint32_t off, uint32_t len, mm_dce_pdu *o);
static void dce_answer(smb_pipe *fl, mm_dce_pdu *req, bool has_req, const uint8_t *h,
                       uint32_t n, uint32_t off, uint32_t len, const mm_dce_pdu *res);
static void dce_inspect(mm_app *a, mm_flow *f, const smb_pipe *fl, int dir,
                        const mm_dce_pdu *pdu, const mm_dce_pdu *req, uint64_t ts);

/* The DCE/RPC state of an open file on a named pipe, made when first
 * needed (NULL: not a pipe's, or no memory). */
static smb_pipe *pipe_of(mm_app *a, smb_state *s, smb_file *fl)
{
    if (!fl || !pipe_tree(s, fl->tree_id))
        return NULL;
    if (!fl->pipe)
        fl->pipe = mm_app_alloc(a, sizeof *fl->pipe);      /* zeroed */
    return fl->pipe;
}

/* SMB2 whose tree connect was not seen (a capture begun later): a write or
 * read whose bytes (h[off..], len of them, n kept) look like DCE/RPC makes
 * its tree a named pipe, as Suricata's smb_dcerpc_probe (version 5.0-5.2,
 * a fragment length, a known type) does with a tree of its own. */
static void midstream_pipe(smb_state *s, const smb_file *fl, const uint8_t *h, uint32_t n,
                           uint32_t off, uint32_t len)
{
    if (!fl || fl->ver != 2 || tree_get(s, fl->tree_id, false) || off < 32 || off >= n ||
        len < 10 || n - off < 10)
        return;
    const uint8_t *p = h + off;
    uint16_t frag = (p[4] & 0x10) ? mm_le16(p + 8) : (uint16_t)(p[8] << 8 | p[9]);
    if (p[0] == 5 && p[1] < 3 && p[2] <= 20 && frag) {
        smb_tree *tr = tree_get(s, fl->tree_id, true);
        tr->pipe = true;
    }
}

/* A write to an open file on a named pipe: a DCE/RPC request. */
static void pipe_write(mm_app *a, mm_flow *f, smb_state *s, smb_file *fl, const uint8_t *h,
                       uint32_t n, uint32_t off, uint32_t len, uint64_t ts)
{
    mm_dce_pdu pdu;
    midstream_pipe(s, fl, h, n, off, len);
    smb_pipe *pp = pipe_of(a, s, fl);
    if (!pp || !dce_at(h, n, off, len, &pdu))
        return;
    dce_inspect(a, f, pp, MM_TO_SERVER, &pdu, &pdu, ts);
    pdu.stub = NULL;
    pp->dreq = pdu;
    pp->has_dreq = true;
    pp->has_dres = false;
}

/* A read from it: the answer to the last request. */
static void pipe_read(mm_app *a, mm_flow *f, smb_state *s, smb_file *fl, const uint8_t *h,
                      uint32_t n, uint32_t off, uint32_t len, uint64_t ts)
{
    mm_dce_pdu pdu;
    smb_pipe *pp = pipe_of(a, s, fl);
    if (!pp || !dce_at(h, n, off, len, &pdu))
        return;
    dce_answer(pp, &pp->dreq, pp->has_dreq, h, n, off, len, &pdu);
    dce_inspect(a, f, pp, MM_TO_CLIENT, &pdu, pp->has_dreq ? &pp->dreq : NULL, ts);
    pdu.stub = NULL;
    pp->dres = pdu;
    pp->has_dres = true;
    if (pp->has_dreq) {
        /* the pair is a transaction of its own, as Suricata's DCE/RPC over SMB */
        rw_event(a, f, s, fl, 1, true, ts);
        pp->logged++;
        pp->has_dreq = pp->has_dres = false;
    }
}

/* A pipe transaction's DCE/RPC request (dir to server: SMB1 TransactNmPipe,
 * SMB2 IOCTL pipe transceive) or its answer, in the message's bytes
 * h[0..n) at off for len bytes. */
static void tx_dce(mm_app *a, mm_flow *f, smb_state *s, smb_tx *t, int dir, const uint8_t *h,
                   uint32_t n, uint32_t off, uint32_t len, uint64_t ts)
{
    smb_pipe *fl = pipe_of(a, s, file_find(s, t->ver, t->fid));
    mm_dce_pdu *pdu = dir == MM_TO_SERVER ? &t->dreq : &t->dres;
    if (!dce_at(h, n, off, len, pdu))
        return;
    if (dir == MM_TO_SERVER) {
        t->has_dreq = true;
    } else {
        t->has_dres = true;
        dce_answer(fl, &t->dreq, true, h, n, off, len, pdu);
    }
    dce_inspect(a, f, fl, dir, pdu, &t->dreq, ts);
    pdu->stub = NULL;
}

#define TRANSACT_NMPIPE 0x0026

static void smb1_request(mm_app *a, mm_flow *f, smb_state *s, const uint8_t *m, uint32_t n,
                         const mm_obs_smb1 *o, const uint8_t *w, const uint8_t *bytes,
                         uint32_t nbytes, uint64_t ts)
{
    bool uni = mm_le16(m + 10) & 0x8000;
    uint64_t key = o->mid | (uint64_t)o->pid << 16 | (uint64_t)o->uid << 32;
    uint32_t nw = (uint32_t)o->word_count * 2;
    bool secondary = o->cmd == SMB1_TRANS_SEC || o->cmd == SMB1_TRANS2_SEC ||
                     o->cmd == SMB1_NT_TRANS_SEC || o->cmd == SMB1_NT_CANCEL;
    smb_tx *t = tx_new(a, f, s, 1, o->cmd, key, ts);
    t->session_id = o->uid;
    t->tree_id = o->tid;
    /* offset of the byte block in the message, for alignment of UTF-16 */
    uint32_t boff = (uint32_t)(bytes - m);
    switch (o->cmd) {
    case SMB1_NEGOTIATE: {
        size_t dl = 0;
        for (uint32_t i = 0; i < nbytes;) {
            if (bytes[i] != 0x02)
                break;
            const uint8_t *p = bytes + i + 1;
            uint32_t l = 0;
            while (i + 1 + l < nbytes && p[l])
                l++;
            if (dl + l + 2 < sizeof t->dialects) {
                if (dl)
                    t->dialects[dl++] = '\n';
                for (uint32_t k = 0; k < l; k++)
                    t->dialects[dl++] = (p[k] >= 0x20 && p[k] < 0x7f && p[k] != '\n') ? (char)p[k] : '?';
                t->dialects[dl] = 0;
            }
            i += l + 2;
        }
        memcpy(s->smb1_dialects, t->dialects, sizeof s->smb1_dialects);
        break;
    }
    case SMB1_SESSION_SETUP:
        ntlmssp(bytes, nbytes, t);
        /* extended security (12 words): blob length at word 7 */
        if (nw == 24)
            native_strings(bytes, nbytes, boff, mm_le16(w + 14), uni, t->req_os, t->req_lm);
        break;
    case SMB1_TREE_CONNECT_ANDX:
        if (nw >= 8) {
            uint32_t pl = mm_le16(w + 6);
            uint32_t p = pl;
            if (uni && ((boff + p) & 1))
                p++;
            if (p < nbytes)
                smb_string(bytes + p, nbytes - p, uni, t->name, sizeof t->name);
        }
        break;
    case SMB1_NT_CREATE_ANDX:
        if (nw >= 48) {
            uint32_t nl = mm_le16(w + 5);
            t->disposition = mm_le32(w + 35);
            t->delete_on_close = mm_le32(w + 39) & 0x1000;
            t->has_disp = true;
            uint32_t p = (uni && (boff & 1)) ? 1 : 0;
            if (p < nbytes) {
                uint32_t l = nbytes - p < nl ? nbytes - p : nl;
                smb_string(bytes + p, l, uni, t->name, sizeof t->name);
            }
        }
        break;
    case SMB1_TRANS2:
    case SMB1_NT_TRANS:
        t->subcmd = o->subcmd;
        t->has_subcmd = o->cmd == SMB1_TRANS2 || o->cmd == SMB1_NT_TRANS;
        break;
    case SMB1_TRANS:
        /* TransactNmPipe: a DCE/RPC request through the pipe, its answer
         * in the response's data */
        if (nw >= 32 && w[26] >= 2 && mm_le16(w + 28) == TRANSACT_NMPIPE) {
            memset(t->fid, 0, 16);
            memcpy(t->fid, w + 30, 2);
            t->has_fid = true;
            tx_dce(a, f, s, t, MM_TO_SERVER, m, n, mm_le16(w + 24), mm_le16(w + 22), ts);
        }
        break;
    case SMB1_READ_ANDX:
    case SMB1_WRITE_ANDX:
    case SMB1_CLOSE:
        if (nw >= (o->cmd == SMB1_CLOSE ? 2u : 6u)) {
            memcpy(t->fid, w + (o->cmd == SMB1_CLOSE ? 0 : 4), 2);
            t->has_fid = true;
        }
        if (o->cmd == SMB1_WRITE_ANDX && nw >= 24) {
            t->io_len = mm_le16(w + 20) | (uint32_t)mm_le16(w + 18) << 16;
            uint8_t fid[16] = {0};
            memcpy(fid, w + 4, 2);
            pipe_write(a, f, s, file_find(s, 1, fid), m, n, mm_le16(w + 22), t->io_len, ts);
        }
        if (o->cmd == SMB1_READ_ANDX && nw >= 10)
            t->io_off = mm_le32(w + 6) | (nw >= 24 ? (uint64_t)mm_le32(w + 20) << 32 : 0);
        break;
    default:
        break;
    }
    (void)n;
    if (secondary) {
        /* no response comes for these: logged now */
        log_tx(a, f, s, t, 0, false, 0, true, ts);
        t->used = false;
    }
}

static void smb1_response(mm_app *a, mm_flow *f, smb_state *s, const uint8_t *m, uint32_t n,
                          const mm_obs_smb1 *o, const uint8_t *w, const uint8_t *bytes,
                          uint32_t nbytes, uint64_t ts)
{
    bool nt = mm_le16(m + 10) & 0x4000;
    uint64_t key = o->mid | (uint64_t)o->pid << 16 | (uint64_t)o->uid << 32;
    uint32_t nw = (uint32_t)o->word_count * 2;
    smb_tx *t = tx_find(s, 1, o->cmd, key);
    if (!t) {
        /* the UID is given by the session setup response: match without it */
        t = tx_find(s, 1, o->cmd, key & 0xFFFFFFFFull);
    }
    smb_tx lone;
    if (!t) {
        memset(&lone, 0, sizeof lone);
        lone.ver = 1;
        lone.cmd = o->cmd;
        lone.ts = ts;
        t = &lone;
    }
    t->session_id = o->uid;
    t->tree_id = o->tid;
    bool ok = o->status == 0;
    switch (o->cmd) {
    case SMB1_NEGOTIATE:
        if (nw >= 2) {
            uint16_t idx = mm_le16(w);
            const char *p = s->smb1_dialects;
            for (uint16_t i = 0; i < idx && *p; i++)
                p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
            size_t l = strcspn(p, "\n");
            if (l && l < sizeof s->dialect) {
                memcpy(s->dialect, p, l);
                s->dialect[l] = 0;
            }
            /* extended security: the server GUID opens the byte block */
            if (nw >= 34 && (mm_le32(w + 19) & 0x80000000u) && nbytes >= 16) {
                memcpy(t->server_guid, bytes, 16);
                t->has_server_guid = true;
            }
        }
        break;
    case SMB1_SESSION_SETUP:
        login(a, f, o->status, ts);
        if (nw == 8)
            native_strings(bytes, nbytes, (uint32_t)(bytes - m), mm_le16(w + 6),
                           mm_le16(m + 10) & 0x8000, t->resp_os, t->resp_lm);
        break;
    case SMB1_TREE_CONNECT_ANDX:
        if (ok) {
            smb_tree *tr = tree_get(s, o->tid, true);
            size_t l = strlen(t->name);
            tr->pipe = l >= 4 && strcmp(t->name + l - 4, "IPC$") == 0;
            mm_strcpy(tr->name, sizeof tr->name, t->name);
        }
        break;
    case SMB1_NT_CREATE_ANDX:
        if (ok && nw >= 7 && t != &lone) {
            memset(t->fid, 0, 16);
            memcpy(t->fid, w + 5, 2);
            t->eof = nw >= 63 ? mm_le64(w + 55) : 0;
            t->has_fid = true;
            file_add(a, f, s, t, ts);
        }
        break;
    case SMB1_READ_ANDX:
    case SMB1_WRITE_ANDX:
        if (t != &lone && t->has_fid) {
            smb_file *fl = file_find(s, 1, t->fid);
            if (fl) {
                fl->status = o->status;
                fl->nt = nt;
                if (o->cmd == SMB1_READ_ANDX)
                    fl->read_ops++;
                else
                    fl->write_ops++;
            }
            if (fl && ok) {
                if (o->cmd == SMB1_READ_ANDX && nw >= 16)
                    pipe_read(a, f, s, fl, m, n, mm_le16(w + 12),
                              mm_le16(w + 10) | (uint32_t)mm_le16(w + 14) << 16, ts);
                if (o->cmd == SMB1_READ_ANDX && nw >= 16)
                    fl->read += mm_le16(w + 10) | (uint32_t)mm_le16(w + 14) << 16;
                else if (o->cmd == SMB1_WRITE_ANDX && nw >= 6)
                    fl->written += mm_le16(w + 4);
            }
            if (fl) {
                t->used = false;
                return;
            }
        }
        break;
    case SMB1_CLOSE:
        if (t->has_fid) {
            smb_file *fl = file_find(s, 1, t->fid);
            if (fl)
                log_file(a, f, s, fl, ts, false);
        }
        break;
    case SMB1_TRANS:
        if (t->has_dreq && nw >= 20)
            tx_dce(a, f, s, t, MM_TO_CLIENT, m, n, mm_le16(w + 14), mm_le16(w + 12), ts);
        break;
    default:
        break;
    }
    /* a response without its request is not a transaction of Suricata's
     * SMB1 parser (smb1-03-midstream); its detectors saw it above */
    if (t != &lone)
        log_tx(a, f, s, t, 1, true, o->status, nt, ts);
    t->used = false;
}

static void smb1_message(mm_app *a, mm_flow *f, smb_state *s, int dir, const uint8_t *m,
                         uint32_t n, uint32_t msg_len, uint64_t ts)
{
    if (n < 33) {
        mm_app_error(a, f);
        return;
    }
    mm_obs_smb1 o = {0};
    o.cmd = m[4];
    o.status = mm_le32(m + 5);
    o.response = m[9] & 0x80;
    o.pid = mm_le16(m + 26);
    o.tid = mm_le16(m + 24);
    o.uid = mm_le16(m + 28);
    o.mid = mm_le16(m + 30);
    o.word_count = m[32];
    o.msg_len = msg_len;
    const uint8_t *w = m + 33;
    uint32_t nw = (uint32_t)o.word_count * 2;
    const uint8_t *bytes = NULL;
    uint32_t nbytes = 0;
    if (33 + nw <= n) {
        if (33 + nw + 2 <= n) {
            uint32_t bc = mm_le16(m + 33 + nw);
            bytes = m + 35 + nw;
            nbytes = n - 35 - nw < bc ? n - 35 - nw : bc;
        }
        smb1_trans(w, o.word_count, o.cmd, o.response, &o);
    } else {
        o.word_count = (uint8_t)((n - 33) / 2);   /* cut by SMB_KEEP: what there is */
    }
    mm_app_observe(a, f, dir, MM_OBS_SMB1, &o, ts);
    if (!bytes) {
        static const uint8_t none[1];
        bytes = none;
    }
    if (o.response)
        smb1_response(a, f, s, m, n, &o, w, bytes, nbytes, ts);
    else
        smb1_request(a, f, s, m, n, &o, w, bytes, nbytes, ts);
}

/* --- SMB2 ------------------------------------------------------------- */

static void smb2_dialect(smb_state *s, uint16_t d)
{
    if (d == 0x02FF)
        mm_strcpy(s->dialect, sizeof s->dialect, "2.??");
    else
        snprintf(s->dialect, sizeof s->dialect, "%x.%02x", (unsigned)(d >> 8), (unsigned)(d & 0xFF));
}

/* A name at an offset from the SMB2 header (UTF-16LE). */
static void smb2_name(const uint8_t *h, uint32_t n, uint32_t off, uint32_t len, char *out,
                      size_t outlen)
{
    if (off < n && len)
        mm_utf16le_to_utf8(h + off, n - off < len ? n - off : len, out, outlen);
}

/* A SET_INFO request that renames a file or marks it for deletion (the
 * file's name from its CREATE, or from the CREATE just before it in a
 * compound request; "<unknown>" when that was not seen). */
static void smb2_set_info(smb_state *s, const uint8_t *h, uint32_t n, smb_tx *t)
{
    const uint8_t *b = h + 64;
    if (n < 64 + 32 || b[2] != 1)       /* SMB2_0_INFO_FILE only */
        return;
    uint8_t cls = b[3];
    uint32_t boff = mm_le16(b + 8), blen = mm_le32(b + 4);
    if (boff > n || blen > n - boff)
        return;
    memcpy(t->fid, b + 16, 16);
    t->has_fid = true;
    const smb_file *fl = file_find(s, 2, t->fid);
    const smb_tx *cr = fl || !t->key ? NULL : tx_find(s, 2, SMB2_CREATE, t->key - 1);
    const char *name = fl && fl->name[0] ? fl->name : cr && cr->name[0] ? cr->name : "<unknown>";
    mm_strcpy(t->name, sizeof t->name, name);
    if (cls == 10 && blen >= 20) {      /* FileRenameInformation */
        uint32_t nl = mm_le32(h + boff + 16);
        smb2_name(h, n, boff + 20, nl < blen - 20 ? nl : blen - 20, t->rename_to,
                  sizeof t->rename_to);
        t->set_info = SI_RENAME;
    } else if (cls == 13 && blen >= 1) { /* FileDispositionInformation */
        t->delete_on_close = h[boff] != 0;
        t->set_info = SI_DISPOSITION;
    }
}

/* Windows FILETIME (100 ns since 1601) as Unix seconds. */
#define FSCTL_PIPE_TRANSCEIVE 0x0011C017u

static bool pipe_tree(smb_state *s, uint32_t tree_id)
{
    const smb_tree *tr = tree_get(s, tree_id, false);
    return tr && tr->pipe;
}

/* The DCE/RPC PDU among the message's kept bytes h[0..n), at off for len
 * bytes (offsets from the SMB header, as SMB gives them). */
static bool dce_at(const uint8_t *h, uint32_t n, uint32_t off, uint32_t len, mm_dce_pdu *o)
{
    if (off < 32 || off >= n || !len)     /* after the SMB header (32 bytes SMB1, 64 SMB2) */
        return false;
    return mm_dce_parse(h + off, n - off < len ? n - off : len, o);
}

/* A PDU read back from a pipe (or an IOCTL's output) answers the request:
 * a bind acknowledgement gives its interfaces their results. */
static void dce_answer(smb_pipe *fl, mm_dce_pdu *req, bool has_req, const uint8_t *h,
                       uint32_t n, uint32_t off, uint32_t len, const mm_dce_pdu *res)
{
    if (!has_req || (res->ptype != MM_DCE_BIND_ACK && res->ptype != MM_DCE_ALTER_RESP) ||
        (req->ptype != MM_DCE_BIND && req->ptype != MM_DCE_ALTER) || off >= n)
        return;
    mm_dce_ack(req, h + off, n - off < len ? n - off : len);
    if (fl)
        mm_dce_bound_add(fl->bound, &fl->nbound, req);
}

/* A DCE/RPC request (dir to server) or response on a pipe to the rules:
 * its stub data, the request's opnum and the interface its context is
 * bound to (dcerpc.stub_data, dcerpc.opnum, dcerpc.iface). */
static void dce_inspect(mm_app *a, mm_flow *f, const smb_pipe *fl, int dir,
                        const mm_dce_pdu *pdu, const mm_dce_pdu *req, uint64_t ts)
{
    if (!a->buffers)
        return;
    mm_obs_buf b[3];
    uint8_t op[2], ifc[20];
    int n = mm_dce_rule_bufs(pdu, req, fl ? fl->bound : NULL, fl ? fl->nbound : 0, b, op, ifc);
    if (!n)
        return;
    mm_obs_buffers ob = {b, n, NULL, NULL, NULL, NULL};
    mm_app_observe(a, f, dir, MM_OBS_BUFFERS, &ob, ts);
}

static uint64_t filetime_unix(uint64_t ft)
{
    uint64_t s = ft / 10000000u;
    return s > 11644473600u ? s - 11644473600u : 0;
}

static void smb2_request(mm_app *a, mm_flow *f, smb_state *s, const uint8_t *h, uint32_t n,
                         uint16_t cmd, uint64_t mid, uint64_t ts)
{
    const uint8_t *b = h + 64;
    uint32_t nb = n - 64;
    if (cmd == SMB2_CANCEL)
        return;             /* answered by the cancelled request's response */
    smb_tx *t = tx_new(a, f, s, 2, cmd, mid, ts);
    t->session_id = mm_le64(h + 40);
    t->tree_id = mm_le32(h + 36);
    switch (cmd) {
    case SMB2_NEGOTIATE:
        if (nb >= 36) {
            uint16_t cnt = mm_le16(b + 2);
            memcpy(t->guid, b + 12, 16);
            t->has_guid = true;
            size_t dl = 0;
            for (uint32_t i = 0; i < cnt && 36 + 2 * i + 2 <= nb; i++) {
                char one[16];
                uint16_t d = mm_le16(b + 36 + 2 * i);
                if (d == 0x02FF)
                    mm_strcpy(one, sizeof one, "2.??");
                else
                    snprintf(one, sizeof one, "%x.%02x", (unsigned)(d >> 8), (unsigned)(d & 0xFF));
                size_t l = strlen(one);
                if (dl + l + 2 >= sizeof t->dialects)
                    break;
                if (dl)
                    t->dialects[dl++] = '\n';
                memcpy(t->dialects + dl, one, l + 1);
                dl += l;
            }
        }
        break;
    case SMB2_SESSION_SETUP:
        ntlmssp(h, n, t);
        break;
    case SMB2_TREE_CONNECT:
        if (nb >= 8)
            smb2_name(h, n, mm_le16(b + 4), mm_le16(b + 6), t->name, sizeof t->name);
        break;
    case SMB2_CREATE:
        if (nb >= 48) {
            t->disposition = mm_le32(b + 36);
            t->delete_on_close = mm_le32(b + 40) & 0x1000;
            t->is_dir = mm_le32(b + 40) & 0x1;
            t->has_disp = true;
            smb2_name(h, n, mm_le16(b + 44), mm_le16(b + 46), t->name, sizeof t->name);
        }
        break;
    case SMB2_READ:
    case SMB2_WRITE:
        if (nb >= 32) {
            memcpy(t->fid, b + 16, 16);
            t->has_fid = true;
            t->io_len = mm_le32(b + 4);
            t->io_off = mm_le64(b + 8);
        }
        if (cmd == SMB2_WRITE && nb >= 32) {
            pipe_write(a, f, s, file_find(s, 2, t->fid), h, n, mm_le16(b + 2), mm_le32(b + 4),
                       ts);
        }
        break;
    case SMB2_IOCTL:
        if (nb >= 56 && mm_le32(b + 4) == FSCTL_PIPE_TRANSCEIVE) {
            memcpy(t->fid, b + 8, 16);
            t->has_fid = true;
            tx_dce(a, f, s, t, MM_TO_SERVER, h, n, mm_le32(b + 24), mm_le32(b + 28), ts);
        }
        break;
    case SMB2_CLOSE:
        if (nb >= 24) {
            memcpy(t->fid, b + 8, 16);
            t->has_fid = true;
        }
        break;
    case SMB2_SET_INFO:
        smb2_set_info(s, h, n, t);
        break;
    default:
        break;
    }
}

static void smb2_response(mm_app *a, mm_flow *f, smb_state *s, const uint8_t *h, uint32_t n,
                          uint16_t cmd, uint64_t mid, uint32_t flags, uint64_t ts)
{
    const uint8_t *b = h + 64;
    uint32_t nb = n - 64;
    uint32_t status = mm_le32(h + 8);
    if (status == STATUS_PENDING && (flags & 2))
        return;             /* interim: the final response follows */
    smb_tx *t = tx_find(s, 2, cmd, mid);
    if (!t && cmd == SMB2_NEGOTIATE) {
        /* an SMB1 NEGOTIATE offering "SMB 2.???" is answered in SMB2 */
        for (int i = 0; i < SMB_TXS && !t; i++)
            if (s->tx[i].used && s->tx[i].ver == 1 && s->tx[i].cmd == SMB1_NEGOTIATE)
                t = &s->tx[i];
    }
    smb_tx lone;
    if (!t) {
        memset(&lone, 0, sizeof lone);
        lone.ver = 2;
        lone.cmd = cmd;
        lone.ts = ts;
        t = &lone;
    }
    t->session_id = mm_le64(h + 40);
    if (!(flags & 2))
        t->tree_id = mm_le32(h + 36);
    bool ok = status == 0;
    switch (cmd) {
    case SMB2_SESSION_SETUP:
        login(a, f, status, ts);
        break;
    case SMB2_NEGOTIATE:
        if (nb >= 24) {
            smb2_dialect(s, mm_le16(b + 4));
            memcpy(t->server_guid, b + 8, 16);
            t->has_server_guid = true;
        }
        break;
    case SMB2_TREE_CONNECT:
        if (ok && nb >= 3) {
            smb_tree *tr = tree_get(s, t->tree_id, true);
            tr->pipe = b[2] == 2;
            mm_strcpy(tr->name, sizeof tr->name, t->name);
        }
        break;
    case SMB2_CREATE:
        if (ok && nb >= 80) {
            memcpy(t->fid, b + 64, 16);
            t->has_fid = true;
            t->eof = mm_le64(b + 48);
            for (int i = 0; i < 4; i++)
                t->times[i] = filetime_unix(mm_le64(b + 8 + 8 * i));
            t->has_times = true;
            if (t != &lone)
                file_add(a, f, s, t, ts);
        }
        break;
    case SMB2_READ:
    case SMB2_WRITE:
        if (t->has_fid) {
            smb_file *fl = file_find(s, 2, t->fid);
            if (fl) {
                fl->status = status;
                fl->nt = true;
                if (cmd == SMB2_READ && nb >= 8)
                    pipe_read(a, f, s, fl, h, n, b[2], mm_le32(b + 4), ts);
                (*(cmd == SMB2_READ ? &fl->read_ops : &fl->write_ops))++;
                if (ok && nb >= 8)
                    *(cmd == SMB2_READ ? &fl->read : &fl->written) += mm_le32(b + 4);
                t->used = false;
                return;
            }
        }
        /* Suricata keeps no transaction of a read or write outside an
         * open file it follows */
        t->used = false;
        return;
    case SMB2_GET_INFO:
        t->used = false;        /* no transaction for Suricata either */
        return;
    case SMB2_IOCTL:
        if (t->has_dreq && nb >= 40)
            tx_dce(a, f, s, t, MM_TO_CLIENT, h, n, mm_le32(b + 32), mm_le32(b + 36), ts);
        break;
    case SMB2_SET_INFO:
        if (t->set_info == SI_NONE) {
            t->used = false;
            return;
        }
        break;
    case SMB2_CLOSE:
        if (t->has_fid) {
            smb_file *fl = file_find(s, 2, t->fid);
            if (fl) {
                if (!t->name[0])
                    memcpy(t->name, fl->name, sizeof t->name);
                log_file(a, f, s, fl, ts, false);
            }
        }
        break;
    default:
        break;
    }
    log_tx(a, f, s, t, 2, true, status, true, ts);
    t->used = false;
}

static void smb2_message(mm_app *a, mm_flow *f, smb_state *s, const uint8_t *m, uint32_t n,
                         uint64_t ts)
{
    /* compound requests: NextCommand chains headers, 8-byte aligned */
    for (int k = 0; k < 32; k++) {
        if (n < 64 || memcmp(m, "\xfeSMB", 4) != 0 || mm_le16(m + 4) != 64) {
            mm_app_error(a, f);
            return;
        }
        uint16_t cmd = mm_le16(m + 12);
        uint32_t flags = mm_le32(m + 16);
        uint32_t next = mm_le32(m + 20);
        uint64_t mid = mm_le64(m + 24);
        uint32_t len = next && next < n ? next : n;
        if (flags & 1)
            smb2_response(a, f, s, m, len, cmd, mid, flags, ts);
        else
            smb2_request(a, f, s, m, len, cmd, mid, ts);
        if (!next || next >= n || next < 64)
            return;
        m += next;
        n -= next;
    }
}

/* --- file data ---------------------------------------------------------- */

static void ooo_drop(mm_app *a, smb_file *fl)
{
    while (fl->ooo) {
        smb_chunk *c = fl->ooo;
        fl->ooo = c->next;
        mm_app_free(a, c, sizeof(*c) + c->n);
    }
    fl->ooo_bytes = 0;
}

/* The file can no longer be described by its hashes: cut it. */
static void file_break(mm_app *a, smb_file *fl)
{
    if (fl->file && !fl->broken)
        mm_file_data(a, fl->file, NULL, 0);
    fl->broken = true;
    ooo_drop(a, fl);
}

/* Holds bytes ahead of next_off; false when they cannot be held. */
static bool ooo_hold(mm_app *a, smb_file *fl, const uint8_t *p, uint32_t n, uint64_t off)
{
    if (n > SMB_OOO_MAX - fl->ooo_bytes)
        return false;
    smb_chunk *c = mm_app_alloc_buf(a, sizeof(*c) + n);
    if (!c)
        return false;
    c->off = off;
    c->n = n;
    memcpy(c->d, p, n);
    smb_chunk **pp = &fl->ooo;
    while (*pp && (*pp)->off <= off)
        pp = &(*pp)->next;
    c->next = *pp;
    *pp = c;
    fl->ooo_bytes += n;
    return true;
}

/* Sequential bytes: into the file, then any held bytes they reach. */
static void file_append(mm_app *a, smb_file *fl, const uint8_t *p, uint32_t n)
{
    mm_file_data(a, fl->file, p, n);
    fl->next_off += n;
    while (fl->ooo && fl->ooo->off <= fl->next_off) {
        smb_chunk *c = fl->ooo;
        fl->ooo = c->next;
        fl->ooo_bytes -= c->n;
        if (c->off + c->n > fl->next_off) {
            uint32_t skip = (uint32_t)(fl->next_off - c->off);
            mm_file_data(a, fl->file, c->d + skip, c->n - skip);
            fl->next_off = c->off + c->n;
        }
        mm_app_free(a, c, sizeof(*c) + c->n);
    }
}

/* Bytes of file fl at file offset off (p NULL: lost). Sequential ones
 * extend its file; bytes ahead of a missing part wait for it (bounded). */
static void file_bytes(mm_app *a, smb_file *fl, const uint8_t *p, uint32_t n, uint64_t off,
                       bool write, uint64_t ts)
{
    /* read and written through one handle: which content is "the file"?
     * Neither for sure: the file is cut */
    if (fl->by_write >= 0 && fl->by_write != write)
        file_break(a, fl);
    fl->by_write = write;
    if (!fl->file && !fl->broken) {
        if (!(fl->file = mm_file_open(a, fl->name, strlen(fl->name), ts)))
            return;
        mm_file_set_dir(fl->file, write ? MM_TO_SERVER : MM_TO_CLIENT);
        fl->next_off = off;
    }
    if (!fl->file || fl->broken)
        return;
    if (!p) {
        file_break(a, fl);
        return;
    }
    if (off < fl->next_off) {
        /* read again (or overlapping): what we have already is kept */
        fl->overlap = true;
        if (off + n <= fl->next_off)
            return;
        uint32_t skip = (uint32_t)(fl->next_off - off);
        p += skip;
        n -= skip;
        off = fl->next_off;
    }
    if (off == fl->next_off)
        file_append(a, fl, p, n);
    else if (!ooo_hold(a, fl, p, n, off))
        file_break(a, fl);
}

/* Once the first bytes of a message are in: does it carry file data? */
static void data_region(smb_state *s, smb_dir *d)
{
    const uint8_t *m = d->buf;
    uint32_t n = d->kept, off = 0, len = 0;
    uint64_t foff = 0;
    smb_file *fl = NULL;
    d->region_done = true;
    d->df = NULL;
    if (d->type != 0 || n < 36 || memcmp(m + 1, "SMB", 3) != 0)
        return;
    if (m[0] == 0xFE && n >= 64 + 8) {
        const uint8_t *b = m + 64;
        uint16_t cmd = mm_le16(m + 12);
        bool resp = mm_le32(m + 16) & 1;
        if (!resp && cmd == SMB2_WRITE && n >= 64 + 32) {
            off = mm_le16(b + 2);
            len = mm_le32(b + 4);
            foff = mm_le64(b + 8);
            fl = file_find(s, 2, b + 16);
        } else if (resp && cmd == SMB2_READ && mm_le32(m + 8) == 0) {
            smb_tx *t = tx_find(s, 2, SMB2_READ, mm_le64(m + 24));
            off = b[2];
            len = mm_le32(b + 4);
            if (t && t->has_fid) {
                fl = file_find(s, 2, t->fid);
                foff = t->io_off;
            }
        }
    } else if (m[0] == 0xFF && n >= 33) {
        const uint8_t *w = m + 33;
        uint32_t nw = (uint32_t)m[32] * 2;
        bool resp = m[9] & 0x80;
        if (n < 33 + nw)
            return;
        uint8_t fid[16] = {0};
        if (m[4] == SMB1_WRITE_ANDX && !resp && nw >= 24) {
            memcpy(fid, w + 4, 2);
            foff = mm_le32(w + 6) | (nw >= 28 ? (uint64_t)mm_le32(w + 24) << 32 : 0);
            len = mm_le16(w + 20) | (uint32_t)mm_le16(w + 18) << 16;
            off = mm_le16(w + 22);
            fl = file_find(s, 1, fid);
        } else if (m[4] == SMB1_READ_ANDX && resp && nw >= 24 && mm_le32(m + 5) == 0) {
            uint64_t key = mm_le16(m + 30) | (uint64_t)mm_le16(m + 26) << 16 |
                           (uint64_t)mm_le16(m + 28) << 32;
            smb_tx *t = tx_find(s, 1, SMB1_READ_ANDX, key);
            len = mm_le16(w + 10) | (uint32_t)mm_le16(w + 14) << 16;
            off = mm_le16(w + 12);
            if (t && t->has_fid) {
                fl = file_find(s, 1, t->fid);
                foff = t->io_off;
            }
        }
    }
    if (!fl || !len || off < 32 || off > d->msg_len || len > d->msg_len - off)
        return;
    midstream_pipe(s, fl, m, n, off, len);
    smb_tree *tr = tree_get(s, fl->tree_id, false);
    if (tr && tr->pipe)
        return;                             /* a named pipe (DCERPC): not a file */
    d->df = fl;
    d->dwrite = (m[0] == 0xFE) ? !(mm_le32(m + 16) & 1) : !(m[9] & 0x80);
    d->dstart = off;
    d->dend = off + len;
    d->fed = off;
    d->doff = foff;
}

/* File bytes among message bytes [at, at + n) (p: those bytes). */
static void feed_region(mm_app *a, smb_dir *d, const uint8_t *p, uint32_t at, uint32_t n,
                        uint64_t ts)
{
    if (!d->df)
        return;
    uint32_t from = at > d->fed ? at : d->fed, to = at + n < d->dend ? at + n : d->dend;
    if (from >= to)
        return;
    file_bytes(a, d->df, p ? p + (from - at) : NULL, to - from, d->doff + (from - d->dstart),
               d->dwrite, ts);
    d->fed = to;
}

/* --- framing ---------------------------------------------------------- */

static void message(mm_app *a, mm_flow *f, smb_state *s, int dir, smb_dir *d, uint64_t ts)
{
    if (d->type != 0x00 || d->gap_in_kept || d->kept < 4)
        return;             /* session request/response, keepalive */
    const uint8_t *m = d->buf;
    if (memcmp(m + 1, "SMB", 3) != 0) {
        mm_app_error(a, f);
        return;
    }
    switch (m[0]) {
    case 0xFF:
        smb1_message(a, f, s, dir, m, d->kept, d->msg_len, ts);
        break;
    case 0xFE:
        smb2_message(a, f, s, m, d->kept, ts);
        break;
    case 0xFD:
        s->encrypted++;     /* SMB3 transform: encrypted */
        break;
    default:
        break;              /* 0xFC: compressed */
    }
}

static bool nb_start(const uint8_t *p, uint32_t n)
{
    return n >= 8 && p[0] == 0 && p[5] == 'S' && p[6] == 'M' && p[7] == 'B' &&
           (p[4] == 0xFF || p[4] == 0xFE || p[4] == 0xFD || p[4] == 0xFC);
}

static int probe(const mm_flow *f, int dir, bool udp, const uint8_t *d, uint32_t n)
{
    (void)f;
    (void)dir;
    (void)udp;
    if (d[0] == 0x00) {
        if (n < 8)
            return memcmp(d + 4, "\xffSMB", n > 4 ? n - 4 : 0) == 0 ||
                           memcmp(d + 4, "\xfeSMB", n > 4 ? n - 4 : 0) == 0 ||
                           memcmp(d + 4, "\xfdSMB", n > 4 ? n - 4 : 0) == 0
                       ? MM_PROBE_MORE
                       : MM_PROBE_NO;
        return nb_start(d, n) ? MM_PROBE_YES : MM_PROBE_NO;
    }
    if (d[0] == 0x81) {
        /* NetBIOS session request: two encoded names of 34 bytes */
        if (n < 5)
            return MM_PROBE_MORE;
        return d[1] == 0 && d[2] == 0 && d[3] == 68 && d[4] == 0x20 ? MM_PROBE_YES : MM_PROBE_NO;
    }
    return MM_PROBE_NO;
}

static void parse(mm_app *a, mm_flow *f, void *st, int dir, const uint8_t *p, uint32_t n,
                  uint64_t ts)
{
    smb_state *s = st;
    smb_dir *d = &s->d[dir];
    if (!p) {
        /* a gap: harmless inside the skipped tail of a message */
        if (d->in_msg && !d->lost && n <= d->msg_len - d->got) {
            if (d->kept < SMB_KEEP && d->got == d->kept)
                d->gap_in_kept = true;
            feed_region(a, d, NULL, d->got, n, ts);
            d->got += n;
            if (d->got == d->msg_len) {
                message(a, f, s, dir, d, ts);
                d->in_msg = false;
                d->nb_len = 0;
            }
            return;
        }
        d->lost = true;
        d->in_msg = false;
        d->nb_len = 0;
        return;
    }
    if (d->lost) {
        if (!nb_start(p, n))
            return;
        d->lost = false;
        d->nb_len = 0;
        d->in_msg = false;
    }
    if (!d->buf && !(d->buf = mm_app_alloc_buf(a, SMB_KEEP))) {
        d->lost = true;
        return;
    }
    while (n) {
        if (!d->in_msg) {
            while (n && d->nb_len < 4) {
                d->nb[d->nb_len++] = *p++;
                n--;
            }
            if (d->nb_len < 4)
                return;
            d->type = d->nb[0];
            d->msg_len = (uint32_t)d->nb[1] << 16 | (uint32_t)d->nb[2] << 8 | d->nb[3];
            if (d->type != 0x00 && d->type != 0x81 && d->type != 0x82 && d->type != 0x83 &&
                d->type != 0x84 && d->type != 0x85) {
                mm_app_error(a, f);
                d->lost = true;
                return;
            }
            d->in_msg = true;
            d->got = d->kept = 0;
            d->gap_in_kept = false;
            d->region_done = false;
            d->df = NULL;
        }
        uint32_t want = d->msg_len - d->got;
        uint32_t take = n < want ? n : want;
        if (d->kept < SMB_KEEP && d->got == d->kept) {
            uint32_t k = take < SMB_KEEP - d->kept ? take : SMB_KEEP - d->kept;
            memcpy(d->buf + d->kept, p, k);
            d->kept += k;
            /* a message that does not begin with an SMB magic: out of step */
            if (d->type == 0 && d->kept >= 4 && d->got < 4 &&
                memcmp(d->buf + 1, "SMB", 3) != 0) {
                mm_app_error(a, f);
                d->lost = true;
                d->in_msg = false;
                d->nb_len = 0;
                return;
            }
        }
        if (!d->region_done && (d->kept >= 128 || d->kept == d->msg_len || d->kept == SMB_KEEP)) {
            data_region(s, d);
            /* data already in the kept bytes first */
            if (d->df && d->dstart < d->got)
                feed_region(a, d, d->buf + d->dstart, d->dstart,
                            (d->got < d->kept ? d->got : d->kept) - d->dstart, ts);
        }
        if (d->region_done)
            feed_region(a, d, p, d->got, take, ts);
        if (d->df && d->df->overlap) {      /* Suricata's app-layer event on it */
            d->df->overlap = false;
            mm_app_observe(a, f, dir, MM_OBS_APP_EVENT_TX, "smb.file_overlap", ts);
        }
        d->got += take;
        p += take;
        n -= take;
        if (d->got == d->msg_len) {
            message(a, f, s, dir, d, ts);
            d->in_msg = false;
            d->nb_len = 0;
        }
    }
}

static void finish(mm_app *a, mm_flow *f, void *st, uint64_t ts)
{
    smb_state *s = st;
    for (int i = 0; i < SMB_TXS; i++)
        if (s->tx[i].used) {
            if (s->tx[i].cmd != (s->tx[i].ver == 1 ? SMB1_READ_ANDX : SMB2_READ) &&
                s->tx[i].cmd != (s->tx[i].ver == 1 ? SMB1_WRITE_ANDX : SMB2_WRITE))
                log_tx(a, f, s, &s->tx[i], 0, false, 0, true, s->tx[i].ts);
            s->tx[i].used = false;
        }
    /* a file never closed when the flow ends is cut, as Suricata's */
    for (int i = 0; i < SMB_FILES; i++)
        log_file(a, f, s, &s->file[i], ts, true);
    for (int i = 0; i < 2; i++)
        mm_app_free(a, s->d[i].buf, SMB_KEEP);
}

const mm_app_parser mm_parser_smb = {
    .name = "smb", .id = MM_APP_SMB, .tcp = true, .udp = false,
    .probe = probe, .state_size = sizeof(smb_state), .parse = parse, .finish = finish,
};
