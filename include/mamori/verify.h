/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_VERIFY_H
#define MAMORI_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/buf.h"
#include "mamori/error.h"

/*
 * Checking downloads against checksum files and their OpenPGP signatures
 * (lib/verify/): sums.c parses the sums files, digest.c hashes files
 * (OpenSSL EVP, the only user of libcrypto), pgp.c verifies signatures
 * (librnp, its only user).
 */

/* Digest algorithms a sums file may name. */
enum mm_vhash {
	MM_VH_NONE = 0,
	MM_VH_MD5,
	MM_VH_SHA1,
	MM_VH_SHA224,
	MM_VH_SHA256,
	MM_VH_SHA384,
	MM_VH_SHA512,
};

#define MM_VH_MAXLEN 64 /* bytes of the longest digest (SHA-512) */

/* "md5", "sha1", ... ; "none" for MM_VH_NONE. */
const char *mm_vhash_name(enum mm_vhash alg);
/* Digest length in bytes; 0 for MM_VH_NONE. */
size_t mm_vhash_len(enum mm_vhash alg);
/* MD5 and SHA-1: collisions are practical, so a sums file of these proves nothing. */
bool mm_vhash_weak(enum mm_vhash alg);
/* Case-insensitive "sha256", "SHA-256", "SHA256" ...; MM_VH_NONE when unknown. */
enum mm_vhash mm_vhash_parse(const char *s, size_t n);
/*
 * The algorithm a sums file's name implies: SHA256SUMS, sha256sum.txt,
 * foo.iso.sha512, MD5SUMS ...; MM_VH_NONE when the name says nothing.
 * Only the last path component is looked at.
 */
enum mm_vhash mm_vhash_from_filename(const char *path);

/* ---- sums files (sums.c) ---- */

#define MM_SUMS_MAX_BYTES (16u << 20) /* cap on a sums or Release file */
#define MM_SUMS_MAX_ENTRIES 200000u
#define MM_SUMS_MAX_NAME 4096u

struct mm_sums_entry {
	enum mm_vhash alg;
	unsigned char digest[MM_VH_MAXLEN];
	char *name; /* unescaped, NUL-terminated; may contain any byte but NUL */
	size_t name_len;
	unsigned line; /* 1-based line in the sums text */
	bool binary;   /* GNU '*' marker (informational: Linux has no text mode) */
};

/*
 * A parsed sums file. Fed line by line (mm_sums_line) by the CLI, tests
 * and fuzzers alike; mm_sums_parse() feeds a whole buffer. Understands
 * GNU coreutils lines ("HEX  name", "HEX *name", "\HEX  esc\\aped\nname"),
 * BSD tagged lines ("SHA256 (name) = HEX", also escaped), any hex case,
 * '#' comments and blank lines, and the checksum sections of a Debian
 * Release/InRelease file ("SHA256:" followed by " HEX SIZE path" lines).
 * The algorithm comes from the tag or the Release section; otherwise from
 * the sums file name (hint) when its length fits the digest, else from
 * the digest length. A tag whose length does not fit is an error.
 */
struct mm_sums {
	struct mm_sums_entry *v;
	size_t n, cap;
	enum mm_vhash hint; /* from the file name; MM_VH_NONE when unknown */
	unsigned line;	    /* lines seen */
	unsigned bad;	    /* malformed lines (skipped) */
	unsigned first_bad; /* line number of the first malformed line */
	char first_bad_msg[160];
	bool release;	       /* saw Debian Release fields */
	enum mm_vhash section; /* current Release checksum section */
	size_t bytes;	       /* bytes fed, for the cap */
};

/* Start an empty set; hint is what the file name implies (or MM_VH_NONE). */
void mm_sums_init(struct mm_sums *s, enum mm_vhash hint);
/*
 * Parse one line (without its '\n'; a trailing '\r' is ignored).
 * Returns 1 when an entry was added, 0 for blank/comment/other Release
 * lines, MM_ERR_PARSE for a malformed line (counted in bad, detail in err,
 * the set stays usable), MM_ERR_TOOBIG/MM_ERR_NOMEM when a cap is reached.
 */
int mm_sums_line(struct mm_sums *s, const char *p, size_t n, struct mm_err *err);
/* End of input: MM_ERR_PARSE when there is not a single entry. */
int mm_sums_finish(struct mm_sums *s, struct mm_err *err);
/* Feed every line of p[0..n) and finish. Malformed lines are only counted. */
int mm_sums_parse(struct mm_sums *s, const char *p, size_t n, struct mm_err *err);
/* Free the entries; s may be re-initialised. Accepts NULL. */
void mm_sums_release(struct mm_sums *s);
/*
 * The entry for name (exact match) with the strongest algorithm, or NULL.
 * conflict (may be NULL) is set when the same name is listed twice with
 * the same algorithm and different digests.
 */
const struct mm_sums_entry *mm_sums_find(const struct mm_sums *s, const char *name, size_t n,
					 bool *conflict);
/* Whether e is the entry mm_sums_find() returns for its name (dedupes "check all"). */
bool mm_sums_is_best(const struct mm_sums *s, const struct mm_sums_entry *e);
/*
 * Append name in the GNU escaped form to out: returns true if escaping was
 * needed (the line must then start with a backslash).
 */
bool mm_sums_escape_name(struct mm_buf *out, const char *name, size_t n);

/* ---- digests (digest.c) ---- */

enum {
	MM_DIGEST_ALLOW_SPECIAL = 1u << 0, /* follow symlinks, accept devices and pipes */
};

/* One file to hash; results filled in by mm_digest_file(s). */
struct mm_digest_job {
	const char *path;
	enum mm_vhash alg;
	unsigned flags;
	/* out */
	int rc; /* 0 or MM_ERR_* (NOTFOUND, IO, INVAL for not regular/symlink) */
	unsigned char md[MM_VH_MAXLEN];
	uint64_t size;	   /* bytes hashed */
	bool changed;	   /* size or mtime changed while reading */
	struct mm_err err; /* detail when rc < 0 */
	uint64_t done;	   /* progress, updated while hashing */
};

/*
 * Progress callback: bytes hashed so far and total expected (sum of the
 * sizes at open; 0 when unknown). Called from the caller's thread about
 * five times a second; may be NULL.
 */
typedef void (*mm_digest_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Hash one file with large reads; fills job. Returns job->rc. */
int mm_digest_file(struct mm_digest_job *job);
/*
 * Hash n files on up to nthreads threads (0: one per online CPU, at most
 * n). Each job gets its own rc; returns 0, or a negative code only when
 * threads could not be started at all.
 */
int mm_digest_files(struct mm_digest_job *jobs, size_t n, unsigned nthreads,
		    mm_digest_progress_fn progress, void *ctx);
/* Hash a buffer. Returns 0 or MM_ERR_UNSUPPORTED. */
int mm_digest_mem(enum mm_vhash alg, const void *p, size_t n, unsigned char *md);
/* Constant-time comparison of n bytes. */
bool mm_digest_equal(const unsigned char *a, const unsigned char *b, size_t n);
/* Lower-case hex of md (len bytes) into out (2*len+1 bytes). */
void mm_digest_hex(const unsigned char *md, size_t len, char *out);

/* ---- OpenPGP (pgp.c) ---- */

enum mm_sig_status {
	MM_SIG_OK = 0,	   /* good signature by the pinned (or any loaded) valid key */
	MM_SIG_BAD,	   /* data or signature modified, malformed, or no signature */
	MM_SIG_NOKEY,	   /* no public key for the signer in the given keys */
	MM_SIG_WRONGKEY,   /* good signature, but not by the pinned key */
	MM_SIG_KEYINVALID, /* signer key revoked, or expired/not yet valid at signing */
};

const char *mm_sig_status_name(enum mm_sig_status st);

#define MM_PGP_MAX_SIG_BYTES (1u << 20)	 /* cap on a detached signature */
#define MM_PGP_MAX_KEY_BYTES (64u << 20) /* cap on a key or keyring file */

/* One key file's bytes. */
struct mm_pgp_keybuf {
	const void *p;
	size_t n;
};

struct mm_pgp_req {
	const void *keys; /* public key(s) or keyring, binary or armoured */
	size_t keys_len;
	/* further key files, each loaded on its own (formats may differ) */
	const struct mm_pgp_keybuf *more_keys;
	size_t nmore_keys;
	const char *pin;  /* primary key fingerprint (hex, spaces allowed) or NULL */
	const void *data; /* signed data, or the whole clearsigned file when sig is NULL */
	size_t data_len;
	const void *sig; /* detached signature (binary or armoured) or NULL */
	size_t sig_len;
};

struct mm_pgp_result {
	enum mm_sig_status status;
	unsigned nsigs;	      /* signatures found */
	char key_fpr[41];     /* key that made the chosen signature (may be a subkey) */
	char primary_fpr[41]; /* its primary key */
	char uid[128];	      /* primary user id of the signer, when known */
	uint32_t sig_time;    /* signature creation */
	uint32_t key_expiry;  /* when the signing key expires (0: never) */
	bool key_expired_now; /* valid at signing, expired since (a note, not a failure) */
	bool key_revoked;
	bool subkey;	      /* signature made by a subkey */
	size_t before, after; /* clearsigned: bytes outside the signed block (ignored) */
	char detail[200];     /* human reason for a non-OK status */
};

/*
 * Verify req's signature. For a clearsigned file (req->sig == NULL) only
 * the first "BEGIN PGP SIGNED MESSAGE" block is verified, and on
 * MM_SIG_OK the signed text (dash-unescaped) is appended to text; bytes
 * outside the block are counted in res->before/after and never returned.
 * For a detached signature text is not touched. Returns 0 when a verdict
 * was reached (see res->status), or MM_ERR_* when the inputs could not be
 * used at all (keys unreadable: MM_ERR_PARSE, caps, no librnp).
 */
int mm_pgp_verify(const struct mm_pgp_req *req, struct mm_pgp_result *res, struct mm_buf *text,
		  struct mm_err *err);
/* Whether buf holds a clearsigned message (a BEGIN PGP SIGNED MESSAGE line). */
bool mm_pgp_is_clearsigned(const void *buf, size_t n);

/*
 * Read a whole regular file (O_NOFOLLOW unless allow_special) of at most
 * max bytes into out. MM_ERR_TOOBIG over the cap, MM_ERR_INVAL for a
 * symlink/directory/device, MM_ERR_NOTFOUND, MM_ERR_IO.
 */
int mm_verify_read_file(const char *path, size_t max, bool allow_special, struct mm_buf *out,
			struct mm_err *err);

#endif
