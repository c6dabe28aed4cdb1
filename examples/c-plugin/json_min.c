#include "json_min.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *p, *end; } cursor;

static void ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

/* Reads a string at c->p (which is at '"'); writes it unescaped to out when out != NULL. */
static int read_string(cursor *c, char *out, size_t cap) {
    if (c->p >= c->end || *c->p != '"') return JSON_MIN_BAD;
    c->p++;
    size_t at = 0;
    int too_long = 0;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch < 0x20) return JSON_MIN_BAD;
        if (ch == '\\') {
            if (c->p >= c->end) return JSON_MIN_BAD;
            char e = *c->p++;
            switch (e) {
            case '"': case '\\': case '/': ch = (unsigned char)e; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            case 'u': {
                if (c->end - c->p < 4) return JSON_MIN_BAD;
                char hex[5] = {c->p[0], c->p[1], c->p[2], c->p[3], 0};
                char *endp;
                unsigned long cp = strtoul(hex, &endp, 16);
                if (*endp) return JSON_MIN_BAD;
                c->p += 4;
                if (cp == 0) return JSON_MIN_BAD; /* NUL inside a name is never valid here */
                unsigned char buf[3];
                size_t n;
                if (cp < 0x80) { buf[0] = (unsigned char)cp; n = 1; }
                else if (cp < 0x800) { buf[0] = (unsigned char)(0xC0 | (cp >> 6)); buf[1] = (unsigned char)(0x80 | (cp & 0x3F)); n = 2; }
                else { buf[0] = (unsigned char)(0xE0 | (cp >> 12)); buf[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); buf[2] = (unsigned char)(0x80 | (cp & 0x3F)); n = 3; }
                for (size_t i = 0; i < n; i++) {
                    if (out && at + 1 < cap) out[at++] = (char)buf[i]; else if (out) too_long = 1;
                }
                continue;
            }
            default: return JSON_MIN_BAD;
            }
        }
        if (out && at + 1 < cap) out[at++] = (char)ch; else if (out) too_long = 1;
    }
    if (c->p >= c->end) return JSON_MIN_BAD;
    c->p++;
    if (out) out[at] = 0;
    return too_long ? JSON_MIN_TOO_LONG : JSON_MIN_OK;
}

static int skip_value(cursor *c, int depth) {
    if (depth > 64) return JSON_MIN_BAD;
    ws(c);
    if (c->p >= c->end) return JSON_MIN_BAD;
    char ch = *c->p;
    if (ch == '"') return read_string(c, NULL, 0);
    if (ch == '{' || ch == '[') {
        char close = ch == '{' ? '}' : ']';
        c->p++;
        ws(c);
        if (c->p < c->end && *c->p == close) { c->p++; return JSON_MIN_OK; }
        for (;;) {
            if (ch == '{') {
                ws(c);
                if (read_string(c, NULL, 0) != JSON_MIN_OK) return JSON_MIN_BAD;
                ws(c);
                if (c->p >= c->end || *c->p++ != ':') return JSON_MIN_BAD;
            }
            if (skip_value(c, depth + 1) != JSON_MIN_OK) return JSON_MIN_BAD;
            ws(c);
            if (c->p >= c->end) return JSON_MIN_BAD;
            if (*c->p == ',') { c->p++; continue; }
            if (*c->p == close) { c->p++; return JSON_MIN_OK; }
            return JSON_MIN_BAD;
        }
    }
    const char *start = c->p;
    while (c->p < c->end && strchr("+-.0123456789eEtruefalsn", *c->p)) c->p++;
    return c->p > start ? JSON_MIN_OK : JSON_MIN_BAD;
}

/* Positions c at the value of top-level member `key`. */
static int find_member(const char *text, size_t len, const char *key, cursor *c) {
    if (!text || len == 0) return JSON_MIN_ABSENT;
    c->p = text;
    c->end = text + len;
    ws(c);
    if (c->p >= c->end || *c->p != '{') return JSON_MIN_BAD;
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == '}') return JSON_MIN_ABSENT;
    char name[256];
    for (;;) {
        ws(c);
        int r = read_string(c, name, sizeof name);
        if (r == JSON_MIN_BAD) return JSON_MIN_BAD;
        ws(c);
        if (c->p >= c->end || *c->p++ != ':') return JSON_MIN_BAD;
        ws(c);
        if (r == JSON_MIN_OK && strcmp(name, key) == 0) return JSON_MIN_OK;
        if (skip_value(c, 0) != JSON_MIN_OK) return JSON_MIN_BAD;
        ws(c);
        if (c->p >= c->end) return JSON_MIN_BAD;
        if (*c->p == ',') { c->p++; continue; }
        if (*c->p == '}') return JSON_MIN_ABSENT;
        return JSON_MIN_BAD;
    }
}

int json_get_string(const char *text, size_t len, const char *key, char *out, size_t cap) {
    cursor c;
    int r = find_member(text, len, key, &c);
    if (r != JSON_MIN_OK) return r;
    if (c.p >= c.end || *c.p != '"') return JSON_MIN_WRONG_TYPE;
    return read_string(&c, out, cap);
}

int json_get_int(const char *text, size_t len, const char *key, long *out) {
    cursor c;
    int r = find_member(text, len, key, &c);
    if (r != JSON_MIN_OK) return r;
    char buf[32];
    size_t n = 0;
    while (c.p < c.end && n + 1 < sizeof buf && (*c.p == '-' || (*c.p >= '0' && *c.p <= '9'))) buf[n++] = *c.p++;
    buf[n] = 0;
    if (n == 0) return JSON_MIN_WRONG_TYPE;
    *out = strtol(buf, NULL, 10);
    return JSON_MIN_OK;
}

int json_string_array(const char *text, size_t len, char (*out)[256], int max) {
    if (!text) return -1;
    cursor c = {text, text + len};
    ws(&c);
    if (c.p >= c.end || *c.p != '[') return -1;
    c.p++;
    int count = 0;
    ws(&c);
    if (c.p < c.end && *c.p == ']') return 0;
    for (;;) {
        ws(&c);
        char tmp[256];
        if (read_string(&c, out && count < max ? out[count] : tmp, 256) == JSON_MIN_BAD) return -1;
        count++;
        ws(&c);
        if (c.p >= c.end) return -1;
        if (*c.p == ',') { c.p++; continue; }
        if (*c.p == ']') return count < max ? count : max;
        return -1;
    }
}

int json_array_count(const char *text, size_t len) {
    if (!text) return -1;
    cursor c = {text, text + len};
    ws(&c);
    if (c.p >= c.end || *c.p != '[') return -1;
    c.p++;
    ws(&c);
    if (c.p < c.end && *c.p == ']') return 0;
    int count = 0;
    for (;;) {
        if (skip_value(&c, 0) != JSON_MIN_OK) return -1;
        count++;
        ws(&c);
        if (c.p >= c.end) return -1;
        if (*c.p == ',') { c.p++; continue; }
        if (*c.p == ']') return count;
        return -1;
    }
}

void json_escape(const char *in, char *out, size_t cap) {
    size_t at = 0;
    for (; *in && at + 7 < cap; in++) {
        unsigned char ch = (unsigned char)*in;
        if (ch == '"' || ch == '\\') { out[at++] = '\\'; out[at++] = (char)ch; }
        else if (ch < 0x20) at += (size_t)snprintf(out + at, cap - at, "\\u%04x", ch);
        else out[at++] = (char)ch;
    }
    out[at] = 0;
}
