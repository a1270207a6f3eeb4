/* The tracker's write path as C entry points, for the direct paths in C (core/_claude.c,
 * core/_codex.c): the same functions as core/_tracker.c's Python-facing `step_into`, `write`,
 * `read_key`, `differs`, `set_if_changed`, `delete_key` and `append_to`, called without a Python
 * call, with one context kept for a whole record (the tracker's `cur` read once, its per-event
 * arrays' buffers acquired at their first use and released at the end of the record).
 *
 * core/_tracker.c exports them in a capsule (TRK_CAPSULE), the standard CPython pattern:
 *
 *     const TrkAPI *api = PyCapsule_Import(TRK_CAPSULE, 0);   // at the consumer's setup()
 *     TrkCtx c;
 *     int on = api->begin(&c, t);   // 1: the C path runs for this tracker; 0: it does not
 *     ... api->write(&c, slot, container, key, value, path) ...
 *     if (on) api->end(&c);
 *
 * `begin` says 0 (no error) where every Python-facing function would call its Python namesake
 * anyway: setup() not called, the switch off (set_enabled(False)), not a Tracker, an undo log.
 * The consumer then calls the Python-level functions as it did before this existed. Each entry
 * point checks its arguments as the Python-facing function does (a Slot, a tuple path) and calls
 * the Python namesake for anything else, so a call through here records exactly what a call
 * through the Python-level function records.
 *
 * The per-event arrays are only resized by Tracker.begin and reserve, between records: holding
 * their buffers across one record is safe (a resize meanwhile would raise BufferError, never
 * write out of bounds).
 */
#ifndef AGENTLOG_TRACKER_H
#define AGENTLOG_TRACKER_H

#include <Python.h>

#define TRK_CAPSULE "agentlog_tui.core._tracker._C_API"
#define TRK_ABI 2 /* bump on any change of TrkCtx or TrkAPI */

/* One record's context (the consumer owns it, on its stack; only core/_tracker.c reads it). */
typedef struct {
    PyObject *t;     /* the tracker (borrowed: the caller holds it) */
    PyObject *cur_o; /* tracker.cur (borrowed) */
    Py_ssize_t cur;
    int bufs;        /* how many of the four buffers below are held */
    Py_buffer live, last_death, killer, wrote;
    /* the blame node of the last path written under (all three held, or all NULL): the next
     * write under the same path tuple starts there instead of at the root */
    PyObject *bpath, *broot, *bnode;
} TrkCtx;

/* The Python-facing functions an entry point stands for (TrkAPI.is_entry). */
enum { TRK_STEP_INTO, TRK_WRITE, TRK_READ_KEY, TRK_DIFFERS, TRK_SET_IF_CHANGED, TRK_DELETE_KEY,
       TRK_APPEND_TO, TRK_N };

typedef struct {
    int abi;         /* TRK_ABI */
    size_t ctx_size; /* sizeof(TrkCtx) */
    /* 1 when `fn` is core/_tracker.c's Python-facing function `which` (TRK_*): only then may a
     * consumer call the entry point instead of `fn` */
    int (*is_entry)(PyObject *fn, int which);
    /* 1: the context is ready and the C path runs for `t`; 0 (no error set): call the
     * Python-level functions instead. */
    int (*begin)(TrkCtx *c, PyObject *t);
    void (*end)(TrkCtx *c); /* after a begin that returned 1 */
    /* step_into(t, slot, data, key, path, default) -> (value, slot), a new tuple */
    PyObject *(*step_into)(TrkCtx *c, PyObject *slot, PyObject *data, PyObject *key,
                           PyObject *path, PyObject *dflt);
    /* write(t, slot, container, key, value, path): 0, or -1 with an error */
    int (*write)(TrkCtx *c, PyObject *slot, PyObject *container, PyObject *key, PyObject *value,
                 PyObject *path);
    /* read_key(t, slot, data, key[, default]) -> (value, slot or None); dflt NULL: not given */
    PyObject *(*read_key)(TrkCtx *c, PyObject *slot, PyObject *data, PyObject *key,
                          PyObject *dflt);
    /* differs(t, value, slot, other) -> a new bool (what the Python-facing one returns) */
    PyObject *(*differs)(TrkCtx *c, PyObject *value, PyObject *slot, PyObject *other);
    /* set_if_changed(t, slot, d, key, value, path): 0, or -1 */
    int (*set_if_changed)(TrkCtx *c, PyObject *slot, PyObject *d, PyObject *key, PyObject *value,
                          PyObject *path);
    /* delete_key(t, slot, data, key, path) -> a new bool */
    PyObject *(*delete_key)(TrkCtx *c, PyObject *slot, PyObject *data, PyObject *key,
                            PyObject *path);
    /* append_to(t, slot, lst, value, path): 0, or -1 */
    int (*append_to)(TrkCtx *c, PyObject *slot, PyObject *lst, PyObject *value, PyObject *path);
} TrkAPI;

#ifdef TRK_CONSUMER
/* ---- the consumers' side (core/_claude.c, core/_codex.c: define TRK_CONSUMER first) ------------
 * TRK: the tracker's C entry points, when core/_tracker is built; trk_entry[i] when the function
 * the consumer's setup() was given for TRK_i is the tracker's own (so the entry point does what
 * calling it would). While the consumer's apply runs a record on a tracker the C path takes,
 * trk_ctx is that record's context, and its calls go straight to the entry points; otherwise (not
 * built, the switch off, an undo log, a function that is not the tracker's, set_direct(False))
 * through the Python-level functions, as before. */
static const TrkAPI *TRK;
static char trk_entry[TRK_N];
static TrkCtx *trk_ctx;
static int direct_on = 1; /* set_direct() */

/* the record's context when `t`'s call `which` goes to the entry point, else NULL */
static inline TrkCtx *direct(PyObject *t, int which) {
    return trk_ctx != NULL && trk_ctx->t == t && trk_entry[which] ? trk_ctx : NULL;
}

/* Bind the entry points for those of `fns` (indexed by TRK_*, NULL: none) that are the tracker's;
 * without core/_tracker, none (the Python-level functions, as before). */
static void trk_bind(PyObject *const *fns) {
    TRK = NULL;
    memset(trk_entry, 0, sizeof(trk_entry));
    const TrkAPI *api = PyCapsule_Import(TRK_CAPSULE, 0);
    if (api == NULL) {
        PyErr_Clear();
    } else if (api->abi == TRK_ABI && api->ctx_size == sizeof(TrkCtx)) {
        for (int i = 0; i < TRK_N; i++) trk_entry[i] = (char)api->is_entry(fns[i], i);
        TRK = api;
    }
}

/* set_direct(flag) -> the previous flag. Off, the tracker calls go through the Python-level
 * functions, never the C entry points (tests compare the two). */
static PyObject *py_set_direct(PyObject *m, PyObject *arg) {
    int on = PyObject_IsTrue(arg);
    if (on < 0) return NULL;
    PyObject *prev = PyBool_FromLong(direct_on);
    direct_on = on;
    return prev;
}

/* direct_calls() -> whether the tracker's C entry points are in use (the capsule imported and
 * the functions setup() was given are the tracker's) */
static PyObject *py_direct_calls(PyObject *m, PyObject *unused) {
    return PyBool_FromLong(TRK != NULL && trk_entry[TRK_WRITE]);
}
#endif /* TRK_CONSUMER */

#endif
