/* json_min — just enough JSON for the dirvol example: top-level members of an object, arrays of
 * strings, escaping. A real driver would use a JSON library; this keeps the example dependency-free. */
#ifndef JSON_MIN_H
#define JSON_MIN_H
#include <stddef.h>

enum { JSON_MIN_OK = 0, JSON_MIN_ABSENT = 1, JSON_MIN_BAD = 2, JSON_MIN_TOO_LONG = 3, JSON_MIN_WRONG_TYPE = 4 };

/* The string member `key` of the top-level object in text[0..len), unescaped into out (NUL-terminated).
 * An empty text (len 0 or NULL) is an empty object. */
int json_get_string(const char *text, size_t len, const char *key, char *out, size_t cap);
/* The integer member `key`. */
int json_get_int(const char *text, size_t len, const char *key, long *out);
/* Number of elements of a top-level array, or -1. */
int json_array_count(const char *text, size_t len);
/* The strings of a top-level array of strings (each < 256 bytes); returns the count or -1. */
int json_string_array(const char *text, size_t len, char (*out)[256], int max);
/* Escapes `in` as the inside of a JSON string. */
void json_escape(const char *in, char *out, size_t cap);

#endif
