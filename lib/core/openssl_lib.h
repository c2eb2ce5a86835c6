/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_OPENSSL_LIB_H
#define MAMORI_OPENSSL_LIB_H
/*
 * libcrypto and libssl, opened with dlopen() on first use (mamori/dl.h)
 * instead of linked: their ~4,900 symbol relocations were about half of
 * the start-up cost of every command, and only lib/verify/digest.c
 * (digests) and lib/audit/check_tls.c (TLS probes, certificates) call
 * them. Include this header instead of the OpenSSL ones, call
 * mm_crypto_load() or mm_ssl_load() before the first OpenSSL call, and
 * every call below goes through a table typed by OpenSSL's own
 * prototypes. Macros that wrap functions (SSL_CTX_set_min_proto_version
 * is SSL_CTX_ctrl, sk_X509_num is OPENSSL_sk_num) expand to names
 * redefined here, so they go through the table too; the inline helpers of
 * the headers only cast. A function missing from these lists is an
 * undefined reference at link time, since neither library is linked.
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mamori/dl.h"
#include "mamori/error.h"

/* libcrypto functions called by mamori */
#define MM_CRYPTO_FUNCS(X)                                                                         \
	X(ASN1_STRING_get0_data)                                                                   \
	X(ASN1_STRING_length)                                                                      \
	X(ASN1_TIME_diff)                                                                          \
	X(ERR_clear_error)                                                                         \
	X(EVP_Digest)                                                                              \
	X(EVP_DigestFinal_ex)                                                                      \
	X(EVP_DigestInit_ex)                                                                       \
	X(EVP_DigestUpdate)                                                                        \
	X(EVP_MD_CTX_free)                                                                         \
	X(EVP_MD_CTX_new)                                                                          \
	X(EVP_PKEY_get_base_id)                                                                    \
	X(EVP_PKEY_get_bits)                                                                       \
	X(EVP_md5)                                                                                 \
	X(EVP_sha1)                                                                                \
	X(EVP_sha224)                                                                              \
	X(EVP_sha256)                                                                              \
	X(EVP_sha384)                                                                              \
	X(EVP_sha512)                                                                              \
	X(GENERAL_NAMES_free)                                                                      \
	X(OPENSSL_sk_num)                                                                          \
	X(OPENSSL_sk_pop_free)                                                                     \
	X(OPENSSL_sk_value)                                                                        \
	X(X509_NAME_get_text_by_NID)                                                               \
	X(X509_NAME_oneline)                                                                       \
	X(X509_STORE_CTX_free)                                                                     \
	X(X509_STORE_CTX_get_error)                                                                \
	X(X509_STORE_CTX_init)                                                                     \
	X(X509_STORE_CTX_new)                                                                      \
	X(X509_STORE_CTX_set_purpose)                                                              \
	X(X509_STORE_CTX_set_verify_cb)                                                            \
	X(X509_STORE_free)                                                                         \
	X(X509_STORE_new)                                                                          \
	X(X509_STORE_set_default_paths)                                                            \
	X(X509_chain_up_ref)                                                                       \
	X(X509_check_host)                                                                         \
	X(X509_check_issued)                                                                       \
	X(X509_cmp)                                                                                \
	X(X509_free)                                                                               \
	X(X509_get0_notAfter)                                                                      \
	X(X509_get0_pubkey)                                                                        \
	X(X509_get_ext_d2i)                                                                        \
	X(X509_get_subject_name)                                                                   \
	X(X509_verify_cert)                                                                        \
	X(X509_verify_cert_error_string)

/* libssl functions called by mamori */
#define MM_SSL_FUNCS(X)                                                                            \
	X(SSL_CTX_ctrl)                                                                            \
	X(SSL_CTX_free)                                                                            \
	X(SSL_CTX_new)                                                                             \
	X(SSL_CTX_set_cipher_list)                                                                 \
	X(SSL_CTX_set_security_level)                                                              \
	X(SSL_CTX_set_verify)                                                                      \
	X(SSL_connect)                                                                             \
	X(SSL_free)                                                                                \
	X(SSL_get1_peer_certificate)                                                               \
	X(SSL_get_error)                                                                           \
	X(SSL_get_peer_cert_chain)                                                                 \
	X(SSL_new)                                                                                 \
	X(SSL_ctrl)                                                                                \
	X(SSL_set_fd)                                                                              \
	X(TLS_client_method)

struct mm_crypto_lib {
	MM_CRYPTO_FUNCS(MM_DL_FIELD)
};
struct mm_ssl_lib {
	MM_SSL_FUNCS(MM_DL_FIELD)
};
extern struct mm_crypto_lib mm_crypto_lib;
extern struct mm_ssl_lib mm_ssl_lib;

/* Open libcrypto (and for mm_ssl_load() libssl too), once. 0 or MM_ERR_UNSUPPORTED. */
int mm_crypto_load(struct mm_err *err);
int mm_ssl_load(struct mm_err *err);

#ifndef MM_OPENSSL_LIB_TABLES
#define MM_OPENSSL_LIB_CALLS
#define ASN1_STRING_get0_data (*mm_crypto_lib.ASN1_STRING_get0_data)
#define ASN1_STRING_length (*mm_crypto_lib.ASN1_STRING_length)
#define ASN1_TIME_diff (*mm_crypto_lib.ASN1_TIME_diff)
#define ERR_clear_error (*mm_crypto_lib.ERR_clear_error)
#define EVP_Digest (*mm_crypto_lib.EVP_Digest)
#define EVP_DigestFinal_ex (*mm_crypto_lib.EVP_DigestFinal_ex)
#define EVP_DigestInit_ex (*mm_crypto_lib.EVP_DigestInit_ex)
#define EVP_DigestUpdate (*mm_crypto_lib.EVP_DigestUpdate)
#define EVP_MD_CTX_free (*mm_crypto_lib.EVP_MD_CTX_free)
#define EVP_MD_CTX_new (*mm_crypto_lib.EVP_MD_CTX_new)
#define EVP_PKEY_get_base_id (*mm_crypto_lib.EVP_PKEY_get_base_id)
#define EVP_PKEY_get_bits (*mm_crypto_lib.EVP_PKEY_get_bits)
#define EVP_md5 (*mm_crypto_lib.EVP_md5)
#define EVP_sha1 (*mm_crypto_lib.EVP_sha1)
#define EVP_sha224 (*mm_crypto_lib.EVP_sha224)
#define EVP_sha256 (*mm_crypto_lib.EVP_sha256)
#define EVP_sha384 (*mm_crypto_lib.EVP_sha384)
#define EVP_sha512 (*mm_crypto_lib.EVP_sha512)
#define GENERAL_NAMES_free (*mm_crypto_lib.GENERAL_NAMES_free)
#define OPENSSL_sk_num (*mm_crypto_lib.OPENSSL_sk_num)
#define OPENSSL_sk_pop_free (*mm_crypto_lib.OPENSSL_sk_pop_free)
#define OPENSSL_sk_value (*mm_crypto_lib.OPENSSL_sk_value)
#define X509_NAME_get_text_by_NID (*mm_crypto_lib.X509_NAME_get_text_by_NID)
#define X509_NAME_oneline (*mm_crypto_lib.X509_NAME_oneline)
#define X509_STORE_CTX_free (*mm_crypto_lib.X509_STORE_CTX_free)
#define X509_STORE_CTX_get_error (*mm_crypto_lib.X509_STORE_CTX_get_error)
#define X509_STORE_CTX_init (*mm_crypto_lib.X509_STORE_CTX_init)
#define X509_STORE_CTX_new (*mm_crypto_lib.X509_STORE_CTX_new)
#define X509_STORE_CTX_set_purpose (*mm_crypto_lib.X509_STORE_CTX_set_purpose)
#define X509_STORE_CTX_set_verify_cb (*mm_crypto_lib.X509_STORE_CTX_set_verify_cb)
#define X509_STORE_free (*mm_crypto_lib.X509_STORE_free)
#define X509_STORE_new (*mm_crypto_lib.X509_STORE_new)
#define X509_STORE_set_default_paths (*mm_crypto_lib.X509_STORE_set_default_paths)
#define X509_chain_up_ref (*mm_crypto_lib.X509_chain_up_ref)
#define X509_check_host (*mm_crypto_lib.X509_check_host)
#define X509_check_issued (*mm_crypto_lib.X509_check_issued)
#define X509_cmp (*mm_crypto_lib.X509_cmp)
#define X509_free (*mm_crypto_lib.X509_free)
#define X509_get0_notAfter (*mm_crypto_lib.X509_get0_notAfter)
#define X509_get0_pubkey (*mm_crypto_lib.X509_get0_pubkey)
#define X509_get_ext_d2i (*mm_crypto_lib.X509_get_ext_d2i)
#define X509_get_subject_name (*mm_crypto_lib.X509_get_subject_name)
#define X509_verify_cert (*mm_crypto_lib.X509_verify_cert)
#define X509_verify_cert_error_string (*mm_crypto_lib.X509_verify_cert_error_string)

#define SSL_CTX_ctrl (*mm_ssl_lib.SSL_CTX_ctrl)
#define SSL_CTX_free (*mm_ssl_lib.SSL_CTX_free)
#define SSL_CTX_new (*mm_ssl_lib.SSL_CTX_new)
#define SSL_CTX_set_cipher_list (*mm_ssl_lib.SSL_CTX_set_cipher_list)
#define SSL_CTX_set_security_level (*mm_ssl_lib.SSL_CTX_set_security_level)
#define SSL_CTX_set_verify (*mm_ssl_lib.SSL_CTX_set_verify)
#define SSL_connect (*mm_ssl_lib.SSL_connect)
#define SSL_free (*mm_ssl_lib.SSL_free)
#define SSL_get1_peer_certificate (*mm_ssl_lib.SSL_get1_peer_certificate)
#define SSL_get_error (*mm_ssl_lib.SSL_get_error)
#define SSL_get_peer_cert_chain (*mm_ssl_lib.SSL_get_peer_cert_chain)
#define SSL_new (*mm_ssl_lib.SSL_new)
#define SSL_ctrl (*mm_ssl_lib.SSL_ctrl)
#define SSL_set_fd (*mm_ssl_lib.SSL_set_fd)
#define TLS_client_method (*mm_ssl_lib.TLS_client_method)
#endif

#endif
