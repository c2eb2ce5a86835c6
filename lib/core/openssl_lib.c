/* SPDX-License-Identifier: MIT */
/* The libcrypto and libssl tables of lib/core/openssl_lib.h, defined once. */
#define MM_OPENSSL_LIB_TABLES
#include "lib/core/openssl_lib.h"
#include "mm_config.h"

struct mm_crypto_lib mm_crypto_lib;
struct mm_ssl_lib mm_ssl_lib;

static const char *const crypto_names[] = {MM_CRYPTO_FUNCS(MM_DL_NAME)};
static const char *const ssl_names[] = {MM_SSL_FUNCS(MM_DL_NAME)};
static struct mm_dl crypto_dl =
    MM_DL_INIT(MM_CRYPTO_SONAME, "libssl3", "hashing", crypto_names, mm_crypto_lib);
static struct mm_dl ssl_dl =
    MM_DL_INIT(MM_SSL_SONAME, "libssl3", "the TLS check", ssl_names, mm_ssl_lib);

int mm_crypto_load(struct mm_err *err)
{
	return mm_dl_load(&crypto_dl, err);
}

int mm_ssl_load(struct mm_err *err)
{
	int rc = mm_dl_load(&crypto_dl, err);

	return rc < 0 ? rc : mm_dl_load(&ssl_dl, err);
}
