/*
 * crypto: libsodium 1.0.18's primitives for the image (module.yaml
 * third_party:; Debian's libsodium source, ISC). A module that depends on
 * `crypto` includes this header and calls libsodium's own functions, as
 * libsodium documents them (https://doc.libsodium.org). Only these are
 * compiled in; anything else libsodium declares fails to link:
 *
 *   X25519      crypto_scalarmult_curve25519, _base            (ref10)
 *               crypto_scalarmult, crypto_scalarmult_base       (the same)
 *   Ed25519     crypto_sign_ed25519_keypair, _seed_keypair, _detached,
 *               _verify_detached, crypto_sign_ed25519 / _open, _sk_to_pk,
 *               _pk_to_curve25519, _sk_to_curve25519, crypto_sign_*  (ref10)
 *   ChaCha20    crypto_stream_chacha20, _xor, _xor_ic: djb's original
 *               64-bit nonce and 64-bit block counter (what
 *               chacha20-poly1305@openssh.com uses); crypto_stream_chacha20_ietf*
 *               (RFC 8439's 96-bit nonce, 32-bit counter)
 *   Poly1305    crypto_onetimeauth_poly1305, _verify, _init/_update/_final
 *               (raw one-time MAC: a key must never authenticate two messages)
 *   SHA-2       crypto_hash_sha256, crypto_hash_sha512 (one call or
 *               _init/_update/_final), crypto_hash (= SHA-512)
 *   Argon2id    crypto_pwhash (ALG_ARGON2ID13 or ARGON2I13), crypto_pwhash_str,
 *               crypto_pwhash_str_verify, crypto_pwhash_str_needs_rehash,
 *               and the argon2id/argon2i specific names. The work area
 *               (memlimit bytes) comes from the heap: size memory: for it.
 *   BLAKE2b     crypto_generichash_blake2b* (Argon2 is built on it)
 *   Compare     crypto_verify_16/32/64, sodium_memcmp (constant time)
 *   Utilities   sodium_memzero, sodium_is_zero, sodium_increment, sodium_add,
 *               sodium_compare, sodium_bin2hex / hex2bin, sodium_bin2base64 /
 *               base642bin, sodium_version_string. sodium_malloc and
 *               sodium_free are plain malloc and free here (no guard pages,
 *               no canary; sodium_free does not wipe: sodium_memzero first)
 *
 * Not compiled: sodium_init (libsodium's sodium/core.c). Nothing here needs
 * it: every primitive starts on its portable reference implementation
 * (sodium_init would switch to SSE/AVX code, which the kernel cannot run:
 * it does not save vector registers across thread switches). Call nothing
 * named sodium_init.
 *
 * Randomness rule. libsodium's randombytes_buf() cannot report failure,
 * and its callers (crypto_sign_keypair, crypto_pwhash_str's salt, the
 * *_keygen functions, randombytes_*) carry on with whatever the buffer
 * holds. Here randombytes_* draw from the core's anx_random()
 * (<anx/random.h>), which fails when no hardware source seeded it; rather
 * than hand out a predictable key, the image then halts (anx_panic, after a
 * log line naming the cause). So a caller that can refuse cleanly - an SSH
 * server without a random source, a key generator - checks first:
 *
 *     if (!anx_random_ready()) {
 *         log_error("no hardware random source: not generating a host key");
 *         return ANX_ENOTSUP;
 *     }
 *     crypto_sign_ed25519_keypair(pk, sk);
 *
 * Functions that take their key or seed as an argument (everything but the
 * keypair/keygen/_str ones) never draw random bytes. randombytes_buf,
 * randombytes_random, randombytes_uniform, randombytes_stir (a no-op: the
 * core reseeds on its own) and randombytes_close are provided;
 * randombytes_set_implementation and randombytes_buf_deterministic are not.
 *
 * sodium_misuse (what libsodium calls on an impossible argument, such as a
 * message longer than a primitive allows) halts the image with a message.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <sodium/crypto_generichash_blake2b.h>
#include <sodium/crypto_hash.h>
#include <sodium/crypto_hash_sha256.h>
#include <sodium/crypto_hash_sha512.h>
#include <sodium/crypto_onetimeauth.h>
#include <sodium/crypto_onetimeauth_poly1305.h>
#include <sodium/crypto_pwhash.h>
#include <sodium/crypto_pwhash_argon2i.h>
#include <sodium/crypto_pwhash_argon2id.h>
#include <sodium/crypto_scalarmult.h>
#include <sodium/crypto_scalarmult_curve25519.h>
#include <sodium/crypto_sign.h>
#include <sodium/crypto_sign_ed25519.h>
#include <sodium/crypto_stream_chacha20.h>
#include <sodium/crypto_verify_16.h>
#include <sodium/crypto_verify_32.h>
#include <sodium/crypto_verify_64.h>
#include <sodium/randombytes.h>
/* host builds rename malloc to the core's (host/rename.h), which would
 * turn utils.h's __attribute__ ((malloc)) into an unknown attribute */
#pragma push_macro("malloc")
#undef malloc
#include <sodium/utils.h>
#pragma pop_macro("malloc")
#include <sodium/version.h>

/* One known-answer vector per primitive (crypto_selftest.c): NULL when
 * all match, else the name of the first primitive that did not
 * ("ed25519 verify"). Takes a few milliseconds; init runs it. */
const char *crypto_self_test(void);

#endif
