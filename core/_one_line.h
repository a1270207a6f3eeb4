/* One-line summaries' string steps, shared by core/_fastloop.c (one_line_text, count_newlines,
 * called from Python) and core/_codex.c (its summaries, called from C): one source for the two
 * extensions, each of which includes this file (its functions are static to each). */
#ifndef AGENTLOG_ONE_LINE_H
#define AGENTLOG_ONE_LINE_H
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* one_line_cut(s, width) -> str (s a str, width >= 1): the words of `s` (split at what
 * str.split() splits at) joined by single spaces; when that is longer than `width`, its first width - 1
 * characters and an ellipsis; then every C0 control character and DEL shown as `?`. Reads only
 * as far as the first width + 1 characters of the answer need. */
static PyObject *one_line_cut(PyObject *s, Py_ssize_t width) {
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    /* the answer holds at most width + 1 characters, and no more than the text has */
    Py_ssize_t cap = (n < width ? n : width) + 1;
    Py_UCS4 stack[512];
    Py_UCS4 *buf = stack;
    if (cap > (Py_ssize_t)(sizeof(stack) / sizeof(stack[0]))) {
        buf = PyMem_New(Py_UCS4, (size_t)cap);
        if (buf == NULL) return PyErr_NoMemory();
    }
    Py_ssize_t k = 0;  /* characters of the answer so far (at most width + 1) */
    int space = 0;     /* a whitespace run since the last word */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            space = k > 0;
            continue;
        }
        if (space) {
            buf[k++] = ' ';
            space = 0;
            if (k > width) break;
        }
        buf[k++] = (c < 32 || c == 127) ? '?' : c;
        if (k > width) break;
    }
    if (k > width) {
        k = width - 1;
        buf[k++] = 0x2026; /* … */
    }
    PyObject *out = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, k);
    if (buf != stack) PyMem_Free(buf);
    return out;
}


/* text.count("\n") of a str, eight bytes at a time for 1-byte text. */
static Py_ssize_t count_newlines_of(PyObject *arg) {
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg), count = 0, i = 0;
    if (kind == PyUnicode_1BYTE_KIND) {
        const unsigned char *p = data;
        const uint64_t ones = 0x0101010101010101ULL, nl = ones * '\n', low = ones * 0x7f;
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            uint64_t x = w ^ nl; /* a zero byte where w holds a newline */
            /* the high bit of a byte of t is set exactly when that byte of x is zero */
            uint64_t t = ~(((x & low) + low) | x | low);
            /* one bit per such byte, at its bottom; the multiply sums them in the top byte */
            count += (Py_ssize_t)((((t >> 7) * ones) >> 56) & 0xff);
        }
        for (; i < n; i++) count += p[i] == '\n';
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *p = data;
        for (; i < n; i++) count += p[i] == '\n';
    } else {
        const Py_UCS4 *p = data;
        for (; i < n; i++) count += p[i] == '\n';
    }
    return count;
}

#endif
