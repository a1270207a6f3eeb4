/* The tracker's write path in C: what a projection's reads and writes cost the replay.
 *
 * A transliteration of core/tracked.py, for speed only: Tracker.dep, dep_children, dep_subtree,
 * _die, kill, expand, filled (_vis to None), build + set_child, set_size, record_write, write and
 * delete, and the direct-path helpers step_into, read_key, differs, append_to, delete_key and
 * set_if_changed. Each function here does what its Python namesake does, in the same order, on
 * the same objects: Slot and BlameNode stay the Python classes everything else reads (their
 * __slots__ members are read and written through the members' offsets, as core/_fastloop.c does),
 * the per-event arrays are the tracker's array.array / bytearray buffers, deps and readers its
 * dicts of sets.
 *
 * The case handled: no undo log (tracker._undo is None), which is how the direct paths
 * (`apply_tracked` of the Claude Code and Codex projections) and the entity projection run. With
 * an undo log, with anything of an unexpected type at the call (not a Tracker, not a Slot, a path
 * that is not a tuple), or when switched off (set_enabled(False), for tests), a function calls
 * its Python namesake with the same arguments, before touching anything: so nothing here decides
 * a rare case. A property test holds the two to the same tracker record.
 *
 * Python side: core/tracked.py (setup() at import, and the names the views and direct paths
 * call). Built as an optional extension: without a compiler the Python functions run instead.
 *
 * C side: the direct paths in C (core/_claude.c, core/_codex.c) call the same functions without
 * a Python call, through the entry points this module exports in a capsule (core/_tracker.h),
 * with one context (`cur`, the arrays' buffers) per record instead of one per call.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include "structmember.h"
#include "_tracker.h"

/* ---- what setup() was given ------------------------------------------------------------------ */

enum { F_DEP, F_DEP_CHILDREN, F_DEP_SUBTREE, F_KILL, F_EXPAND, F_WRITE, F_DELETE, F_RECORD_WRITE,
       F_STEP_INTO, F_READ_KEY, F_DIFFERS, F_APPEND_TO, F_DELETE_KEY, F_SET_IF_CHANGED, F_N };

static const char *fallback_names[F_N] = {
    "dep", "dep_children", "dep_subtree", "kill", "expand", "write", "delete", "record_write",
    "step_into", "read_key", "differs", "append_to", "delete_key", "set_if_changed"};

typedef struct {
    PyTypeObject *tracker_t, *slot_t, *node_t, *array_t;
    /* Tracker members */
    Py_ssize_t t_cur, t_live, t_last_death, t_killer, t_more_killers, t_deps, t_readers, t_died,
        t_blame_root, t_wrote, t_touched, t_undo;
    /* Slot members */
    Py_ssize_t s_children, s_owner, s_size, s_tomb, s_vis;
    /* BlameNode members */
    Py_ssize_t n_children, n_writers;
    PyObject *array_append; /* array.array.append, called directly */
    PyObject *empty_i;      /* array('i'): a new blame node's writers are its repeat by 0 */
    PyObject *one_i;        /* array('i', [0]), its buffer held (one_buf): what append_i adds */
    Py_buffer one_buf;
    PyObject *initial;      /* INITIAL (-1) */
    /* blame nodes up to these depths are made with an array of writers / a dict of children
     * (core/tracked.py ARRAY_DEPTH, DICT_DEPTH), deeper ones with None (see BlameNode) */
    Py_ssize_t array_depth, dict_depth;
    Py_ssize_t small_set; /* core/tracked.py SMALL_SET: deps and readers hold tuples up to it */
    PyObject *fallback[F_N];
} Setup;

static Setup S;
static int ready = 0;   /* setup() succeeded */
static int enabled = 1; /* set_enabled() */

static PyObject *s_keys, *s_i;

/* A member of an object (borrowed; NULL when unset). */
static inline PyObject *fld(PyObject *o, Py_ssize_t off) { return *(PyObject **)((char *)o + off); }

static inline void set_fld(PyObject *o, Py_ssize_t off, PyObject *v) {
    PyObject **p = (PyObject **)((char *)o + off), *old = *p;
    Py_INCREF(v);
    *p = v;
    Py_XDECREF(old);
}

static int member_offset(PyTypeObject *t, const char *name, Py_ssize_t *off) {
    PyObject *d = PyObject_GetAttrString((PyObject *)t, name);
    if (d == NULL) return -1;
    int ok = Py_IS_TYPE(d, &PyMemberDescr_Type) &&
             ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX;
    if (ok) *off = ((PyMemberDescrObject *)d)->d_member->offset;
    Py_DECREF(d);
    if (!ok) PyErr_Format(PyExc_TypeError, "%s.%s is not a plain __slots__ member", t->tp_name, name);
    return ok ? 0 : -1;
}

/* ---- one call's context ------------------------------------------------------------------------ */

/* The tracker, its `cur` and the per-event arrays' buffers: for one call of a Python-facing
 * function, or for a whole record of a direct path in C (core/_tracker.h). */
typedef TrkCtx Ctx;

static int ctx_init(Ctx *c, PyObject *t) {
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->cur_o = fld(t, S.t_cur);
    if (c->cur_o == NULL || !PyLong_Check(c->cur_o)) {
        PyErr_SetString(PyExc_TypeError, "tracker.cur is not an int");
        return -1;
    }
    c->cur = PyLong_AsSsize_t(c->cur_o);
    return c->cur == -1 && PyErr_Occurred() ? -1 : 0;
}

static int get_buffer(PyObject *o, Py_buffer *b, Py_ssize_t itemsize) {
    if (o == NULL) {
        PyErr_SetString(PyExc_TypeError, "a tracker array is missing");
        return -1;
    }
    if (PyObject_GetBuffer(o, b, PyBUF_WRITABLE | PyBUF_FORMAT) < 0) return -1;
    if (b->itemsize != itemsize) {
        PyBuffer_Release(b);
        memset(b, 0, sizeof(*b));
        PyErr_SetString(PyExc_TypeError, "unexpected array item size");
        return -1;
    }
    return 0;
}

static void ctx_done(Ctx *c);

/* The per-event arrays, held from their first use to the end of the call, or of the record for
 * a context of the entry points (an append to one of them meanwhile would raise BufferError,
 * never write out of bounds). */
static int ctx_bufs(Ctx *c) {
    if (c->bufs) return 0;
    PyObject *t = c->t;
    if (get_buffer(fld(t, S.t_live), &c->live, 4) < 0) goto fail;
    c->bufs = 1;
    if (get_buffer(fld(t, S.t_last_death), &c->last_death, 4) < 0) goto fail;
    c->bufs = 2;
    if (get_buffer(fld(t, S.t_killer), &c->killer, 4) < 0) goto fail;
    c->bufs = 3;
    if (get_buffer(fld(t, S.t_wrote), &c->wrote, 1) < 0) goto fail;
    c->bufs = 4;
    return 0;
fail: /* none held: a context kept for a record tries again at its next use, as a fresh one */
    ctx_done(c);
    return -1;
}

static void ctx_done(Ctx *c) {
    Py_CLEAR(c->bpath);
    Py_CLEAR(c->broot);
    Py_CLEAR(c->bnode);
    if (c->bufs > 0) PyBuffer_Release(&c->live);
    if (c->bufs > 1) PyBuffer_Release(&c->last_death);
    if (c->bufs > 2) PyBuffer_Release(&c->killer);
    if (c->bufs > 3) PyBuffer_Release(&c->wrote);
    c->bufs = 0;
}

/* Python's indexing of a sequence of n items: a negative i counts from the end. */
static int at(Py_ssize_t i, Py_ssize_t n, Py_ssize_t *out) {
    if (i < 0) i += n;
    if (i < 0 || i >= n) {
        PyErr_SetString(PyExc_IndexError, "array index out of range");
        return -1;
    }
    *out = i;
    return 0;
}

static inline int32_t *i32(Py_buffer *b, Py_ssize_t i) { return (int32_t *)b->buf + i; }

/* arr[i] += d for an array('i') */
static int add_at(Ctx *c, Py_buffer *b, Py_ssize_t i, long d) {
    Py_ssize_t j;
    if (ctx_bufs(c) < 0 || at(i, b->len / 4, &j) < 0) return -1;
    *i32(b, j) += (int32_t)d;
    return 0;
}

static int array_append(PyObject *arr, PyObject *v) {
    PyObject *r;
    if (Py_IS_TYPE(arr, S.array_t)) {
        PyObject *args[2] = {arr, v};
        r = PyObject_Vectorcall(S.array_append, args, 2, NULL);
    } else {
        r = PyObject_CallMethod(arr, "append", "O", v);
    }
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

/* arr.append(v) for an array `arr` whose buffer format is "i" (the caller checked) and an int v:
 * `arr += array('i', [v])` with the one-item array kept for this (no Python code runs between
 * the store into it and the extend), which resizes `arr` as append does (the same BufferError
 * while it is exported) without parsing v as a call's argument. Anything else: append. */
static int append_i(PyObject *arr, PyObject *v_o, Py_ssize_t v) {
    if (!Py_IS_TYPE(arr, S.array_t) || v < INT32_MIN || v > INT32_MAX) return array_append(arr, v_o);
    *(int32_t *)S.one_buf.buf = (int32_t)v;
    PyObject *r = Py_TYPE(arr)->tp_as_sequence->sq_inplace_concat(arr, S.one_i);
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

/* Is arr's buffer format "i" (an array('i'))? -1 on error. */
static int format_i(PyObject *arr) {
    Py_buffer b;
    if (PyObject_GetBuffer(arr, &b, PyBUF_FORMAT) < 0) return -1;
    int yes = b.format != NULL && strcmp(b.format, "i") == 0;
    PyBuffer_Release(&b);
    return yes;
}

static inline int is_slot(PyObject *o) { return Py_IS_TYPE(o, S.slot_t); }

/* A member of a Slot, checked (borrowed). */
static PyObject *slot_get(PyObject *slot, Py_ssize_t off, const char *name) {
    if (!is_slot(slot)) {
        PyErr_Format(PyExc_TypeError, "expected a Slot, got %.100s", Py_TYPE(slot)->tp_name);
        return NULL;
    }
    PyObject *v = fld(slot, off);
    if (v == NULL) PyErr_Format(PyExc_AttributeError, "'Slot' object has no attribute '%s'", name);
    return v;
}

/* slot.children as a dict (borrowed), NULL with an error when it is anything else. */
static PyObject *children_of(PyObject *slot) {
    PyObject *ch = slot_get(slot, S.s_children, "children");
    if (ch == NULL) return NULL;
    if (!PyDict_Check(ch)) {
        PyErr_SetString(PyExc_TypeError, "a slot without children where a container was expected");
        return NULL;
    }
    return ch;
}

/* Slot(owner, vis, children, tomb) as Slot.__init__ makes it (size = owner), without the call. */
static PyObject *new_slot(PyObject *owner, PyObject *vis, PyObject *children, int tomb) {
    PyObject *s = S.slot_t->tp_alloc(S.slot_t, 0);
    if (s == NULL) return NULL;
    set_fld(s, S.s_owner, owner);
    set_fld(s, S.s_vis, vis);
    set_fld(s, S.s_children, children);
    set_fld(s, S.s_tomb, tomb ? Py_True : Py_False);
    set_fld(s, S.s_size, owner);
    /* A slot references ints, a bool and None, and later perhaps a dict of slots of its own
     * subtree: it can be part of no reference cycle, so the cyclic GC need not visit it (its
     * children dict stays tracked). Fewer objects for each collection to walk. */
    PyObject_GC_UnTrack(s);
    return s;
}

/* ---- reads ------------------------------------------------------------------------------------ */

/* core/tracked.py `_with` where it is called from Tracker.dep: add v to the set of events
 * d[key] (a tuple up to S.small_set items, a set beyond; made when missing). 1 when v was there
 * already (nothing changed), 0 when added, -1 on error. */
/* the tuple t (of n items) with v after them: a new tuple */
static PyObject *tuple_plus(PyObject *t, Py_ssize_t n, PyObject *v) {
    PyObject *nw = PyTuple_New(n + 1);
    if (nw == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *x = PyTuple_GET_ITEM(t, i);
        Py_INCREF(x);
        PyTuple_SET_ITEM(nw, i, x);
    }
    Py_INCREF(v);
    PyTuple_SET_ITEM(nw, n, v);
    return nw;
}

static int small_add(PyObject *d, PyObject *key, PyObject *v) {
    PyObject *s = PyDict_GetItemWithError(d, key);
    if (s == NULL) {
        if (PyErr_Occurred()) return -1;
        PyObject *t = PyTuple_Pack(1, v);
        if (t == NULL) return -1;
        PyObject_GC_UnTrack(t); /* ints only: the GC would untrack it at its first visit */
        int r = PyDict_SetItem(d, key, t);
        Py_DECREF(t);
        return r;
    }
    if (PyTuple_CheckExact(s)) {
        Py_ssize_t n = PyTuple_GET_SIZE(s);
        for (Py_ssize_t i = 0; i < n; i++) {
            int eq = PyObject_RichCompareBool(PyTuple_GET_ITEM(s, i), v, Py_EQ);
            if (eq != 0) return eq; /* 1: there already; -1: an error */
        }
        PyObject *nw;
        if (n < S.small_set) {
            if ((nw = tuple_plus(s, n, v)) == NULL) return -1;
            PyObject_GC_UnTrack(nw);
        } else {
            nw = PySet_New(s);
            if (nw == NULL) return -1;
            if (PySet_Add(nw, v) < 0) {
                Py_DECREF(nw);
                return -1;
            }
        }
        int r = PyDict_SetItem(d, key, nw);
        Py_DECREF(nw);
        return r;
    }
    if (!PyAnySet_Check(s)) {
        PyErr_SetString(PyExc_TypeError, "tracker.deps and readers must hold tuples or sets");
        return -1;
    }
    int has = PySet_Contains(s, v);
    if (has != 0) return has;
    return PySet_Add(s, v);
}

/* Tracker.dep */
static int c_dep(Ctx *c, PyObject *owner) {
    if (!PyLong_Check(owner)) {
        PyErr_SetString(PyExc_TypeError, "a slot's owner is not an int");
        return -1;
    }
    int overflow = 0;
    long long o = PyLong_AsLongLongAndOverflow(owner, &overflow);
    if (o == -1 && PyErr_Occurred()) return -1;
    if (overflow < 0 || o < 0 || (!overflow && o == c->cur)) return 0;
    PyObject *deps = fld(c->t, S.t_deps), *readers = fld(c->t, S.t_readers);
    if (deps == NULL || readers == NULL || !PyDict_Check(deps) || !PyDict_Check(readers)) {
        PyErr_SetString(PyExc_TypeError, "tracker.deps and readers must be dicts");
        return -1;
    }
    int r = small_add(deps, c->cur_o, owner);
    if (r != 0) return r < 0 ? -1 : 0;
    return small_add(readers, owner, c->cur_o) < 0 ? -1 : 0;
}

static int c_dep_owner(Ctx *c, PyObject *slot) {
    PyObject *o = slot_get(slot, S.s_owner, "owner");
    return o == NULL ? -1 : c_dep(c, o);
}

/* Tracker.dep_children */
static int c_dep_children(Ctx *c, PyObject *slot) {
    PyObject *ch = slot_get(slot, S.s_children, "children");
    if (ch == NULL) return -1;
    if (ch == Py_None) return 0;
    if (!PyDict_Check(ch)) {
        PyErr_SetString(PyExc_TypeError, "slot.children must be a dict or None");
        return -1;
    }
    Py_ssize_t i = 0;
    PyObject *k, *child;
    while (PyDict_Next(ch, &i, &k, &child))
        if (c_dep_owner(c, child) < 0) return -1;
    return 0;
}

/* Tracker.dep_subtree */
static int c_dep_subtree(Ctx *c, PyObject *slot) {
    if (c_dep_owner(c, slot) < 0) return -1;
    PyObject *ch = fld(slot, S.s_children);
    if (ch == NULL || ch == Py_None) return 0;
    if (!PyDict_Check(ch)) {
        PyErr_SetString(PyExc_TypeError, "slot.children must be a dict or None");
        return -1;
    }
    if (Py_EnterRecursiveCall(" in dep_subtree")) return -1;
    Py_ssize_t i = 0;
    PyObject *k, *child;
    int rc = 0;
    while (rc == 0 && PyDict_Next(ch, &i, &k, &child)) rc = c_dep_subtree(c, child);
    Py_LeaveRecursiveCall();
    return rc;
}

/* ---- writes ----------------------------------------------------------------------------------- */

/* Tracker._die: one visible slot of event `e` dies now, overwritten by the current event. */
static int c_die(Ctx *c, PyObject *e_o) {
    if (!PyLong_Check(e_o)) {
        PyErr_SetString(PyExc_TypeError, "a slot's vis is not an int");
        return -1;
    }
    Py_ssize_t e = PyLong_AsSsize_t(e_o), j;
    if (e == -1 && PyErr_Occurred()) return -1;
    if (ctx_bufs(c) < 0) return -1;
    if (at(e, c->live.len / 4, &j) < 0) return -1;
    int32_t n = *i32(&c->live, j) - 1;
    *i32(&c->live, j) = n;
    if (!n) {
        PyObject *died = fld(c->t, S.t_died);
        int fi = died == NULL ? 0 : format_i(died);
        if (fi < 0 || (fi ? append_i(died, e_o, e) : array_append(died, e_o)) < 0) return -1;
    }
    if (at(e, c->last_death.len / 4, &j) < 0) return -1;
    if (*i32(&c->last_death, j) < c->cur) *i32(&c->last_death, j) = (int32_t)c->cur;
    if (e == c->cur) return 0;
    if (at(e, c->killer.len / 4, &j) < 0) return -1;
    int32_t first = *i32(&c->killer, j);
    if (first == c->cur) return 0;
    if (first < 0) {
        *i32(&c->killer, j) = (int32_t)c->cur;
        return 0;
    }
    PyObject *mk = fld(c->t, S.t_more_killers);
    if (mk == NULL || !PyDict_Check(mk)) {
        PyErr_SetString(PyExc_TypeError, "tracker.more_killers must be a dict");
        return -1;
    }
    return small_add(mk, e_o, c->cur_o) < 0 ? -1 : 0;
}

/* Tracker.kill: everything under `slot` is overwritten by the current event. */
static int c_kill(Ctx *c, PyObject *slot) {
    PyObject *vis = slot_get(slot, S.s_vis, "vis");
    if (vis == NULL) return -1;
    if (vis != Py_None) {
        Py_INCREF(vis); /* set_fld below drops the slot's reference */
        int r = c_die(c, vis);
        Py_DECREF(vis);
        if (r < 0) return -1;
        set_fld(slot, S.s_vis, Py_None);
    }
    PyObject *ch = fld(slot, S.s_children);
    if (ch == NULL || ch == Py_None) return 0;
    if (!PyDict_Check(ch)) {
        PyErr_SetString(PyExc_TypeError, "slot.children must be a dict or None");
        return -1;
    }
    if (PyDict_GET_SIZE(ch) == 0) return 0;
    if (Py_EnterRecursiveCall(" in kill")) return -1;
    Py_INCREF(ch);
    Py_ssize_t i = 0;
    PyObject *k, *child;
    int rc = 0;
    while (rc == 0 && PyDict_Next(ch, &i, &k, &child)) rc = c_kill(c, child);
    Py_DECREF(ch);
    Py_LeaveRecursiveCall();
    return rc;
}

/* Tracker.filled: `parent` was an empty container and gets a child (its emptiness dies). */
static int c_filled(Ctx *c, PyObject *parent) {
    PyObject *vis = slot_get(parent, S.s_vis, "vis");
    if (vis == NULL) return -1;
    if (vis == Py_None) return 0;
    PyObject *tomb = slot_get(parent, S.s_tomb, "tomb");
    if (tomb == NULL) return -1;
    int is_tomb = PyObject_IsTrue(tomb);
    if (is_tomb < 0) return -1;
    if (is_tomb) return 0;
    /* _vis(parent, None) */
    Py_INCREF(vis);
    int r = c_die(c, vis);
    Py_DECREF(vis);
    if (r < 0) return -1;
    set_fld(parent, S.s_vis, Py_None);
    return 0;
}

/* Tracker.expand: an opaque container gets one opaque slot per item, as it is stepped into. */
static int c_expand(Ctx *c, PyObject *slot, PyObject *value) {
    PyObject *keys = NULL;
    Py_ssize_t n = -1;
    if (PyDict_Check(value)) {
        if (!PyDict_CheckExact(value)) {
            keys = PyObject_CallMethodNoArgs(value, s_keys);
            if (keys == NULL) return -1;
        }
    } else if (PyList_Check(value)) {
        n = PyObject_Length(value);
        if (n < 0) return -1;
    } else {
        return 0;
    }
    PyObject *owner = slot_get(slot, S.s_owner, "owner");
    PyObject *vis = owner == NULL ? NULL : slot_get(slot, S.s_vis, "vis");
    if (vis == NULL) {
        Py_XDECREF(keys);
        return -1;
    }
    Py_INCREF(owner);
    Py_INCREF(vis);
    int rc = -1;
    PyObject *ch = PyDict_New(), *it = NULL;
    if (ch == NULL) goto out;
    set_fld(slot, S.s_size, owner);
    if (n >= 0) {
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *k = PyLong_FromSsize_t(i);
            PyObject *s = k == NULL ? NULL : new_slot(owner, vis, Py_None, 0);
            int r = s == NULL ? -1 : PyDict_SetItem(ch, k, s);
            Py_XDECREF(k);
            Py_XDECREF(s);
            if (r < 0) goto out;
        }
    } else if (keys == NULL) {
        Py_ssize_t i = 0;
        PyObject *k, *v;
        while (PyDict_Next(value, &i, &k, &v)) {
            PyObject *s = new_slot(owner, vis, Py_None, 0);
            if (s == NULL) goto out;
            Py_INCREF(k);
            int r = PyDict_SetItem(ch, k, s);
            Py_DECREF(k);
            Py_DECREF(s);
            if (r < 0) goto out;
        }
    } else {
        it = PyObject_GetIter(keys);
        if (it == NULL) goto out;
        PyObject *k;
        while ((k = PyIter_Next(it)) != NULL) {
            PyObject *s = new_slot(owner, vis, Py_None, 0);
            int r = s == NULL ? -1 : PyDict_SetItem(ch, k, s);
            Py_DECREF(k);
            Py_XDECREF(s);
            if (r < 0) goto out;
        }
        if (PyErr_Occurred()) goto out;
    }
    set_fld(slot, S.s_children, ch);
    Py_ssize_t m = PyDict_GET_SIZE(ch);
    if (m && vis != Py_None) {
        Py_ssize_t v = PyLong_AsSsize_t(vis);
        if (v == -1 && PyErr_Occurred()) goto out;
        if (add_at(c, &c->live, v, (long)(m - 1)) < 0) goto out;
        set_fld(slot, S.s_vis, Py_None);
    }
    rc = 0;
out:
    Py_XDECREF(ch);
    Py_XDECREF(it);
    Py_XDECREF(keys);
    Py_DECREF(owner);
    Py_DECREF(vis);
    return rc;
}

/* core/tracked.py _blame_node(depth): a new blame node, without a call. Up to the depths setup()
 * was given, writers = array('i') (as `array('i') * 0` makes it, without parsing a typecode) and
 * children = {}; deeper, None for either (BlameNode's compact form). */
static PyObject *new_blame_node(Py_ssize_t depth) {
    PyObject *n = S.node_t->tp_alloc(S.node_t, 0);
    if (n == NULL) return NULL;
    PyObject *w = Py_None, *d = Py_None;
    Py_INCREF(w);
    Py_INCREF(d);
    if (depth <= S.array_depth) {
        Py_SETREF(w, Py_TYPE(S.empty_i)->tp_as_sequence->sq_repeat(S.empty_i, 0));
        if (w == NULL) goto fail;
    }
    if (depth <= S.dict_depth) {
        Py_SETREF(d, PyDict_New());
        if (d == NULL) goto fail;
    }
    set_fld(n, S.n_writers, w);
    set_fld(n, S.n_children, d);
    Py_DECREF(w);
    Py_DECREF(d);
    /* A node references None, ints, an array and a dict of nodes under it: it can be part of no
     * reference cycle (as a slot, new_slot), so the cyclic GC need not visit it. The collection
     * after a run walked every node the run made (36,000 for a 50 MB Claude Code session). */
    PyObject_GC_UnTrack(n);
    return n;
fail:
    Py_XDECREF(w);
    Py_XDECREF(d);
    Py_DECREF(n);
    return NULL;
}

/* _blame_step: the blame node under `node` for key k, made at `depth` when missing (a new
 * reference); `node`'s children dict made at its first child. */
static PyObject *blame_child(PyObject *node, PyObject *k, Py_ssize_t depth) {
    if (!Py_IS_TYPE(node, S.node_t)) {
        PyErr_SetString(PyExc_TypeError, "unexpected blame node");
        return NULL;
    }
    PyObject *ch = fld(node, S.n_children);
    if (ch == Py_None) {
        PyObject *d = PyDict_New();
        if (d == NULL) return NULL;
        set_fld(node, S.n_children, d);
        Py_DECREF(d);
        ch = d;
    } else if (ch == NULL || !PyDict_Check(ch)) {
        PyErr_SetString(PyExc_TypeError, "unexpected blame node");
        return NULL;
    }
    PyObject *nxt = PyDict_GetItemWithError(ch, k);
    if (nxt != NULL) {
        Py_INCREF(nxt);
        return nxt;
    }
    if (PyErr_Occurred()) return NULL;
    nxt = new_blame_node(depth);
    if (nxt == NULL) return NULL;
    if (PyDict_SetItem(ch, k, nxt) < 0) {
        Py_DECREF(nxt);
        return NULL;
    }
    return nxt;
}

/* _blame_add without an undo log: `cur` becomes the newest writer of `node` (once per event).
 * None -> cur (the int object itself); an int other than cur -> array('i', [it, cur]); an
 * array -> appended to unless its last item is cur. */
static int blame_add(Ctx *c, PyObject *node) {
    PyObject *w = fld(node, S.n_writers);
    if (w == NULL) {
        PyErr_SetString(PyExc_TypeError, "a blame node without writers");
        return -1;
    }
    if (w == Py_None) {
        set_fld(node, S.n_writers, c->cur_o);
        return 0;
    }
    if (PyLong_CheckExact(w)) {
        Py_ssize_t old = PyLong_AsSsize_t(w);
        if (old == -1 && PyErr_Occurred()) return -1;
        if (old == c->cur) return 0;
        PyObject *arr = Py_TYPE(S.empty_i)->tp_as_sequence->sq_repeat(S.empty_i, 0);
        if (arr == NULL) return -1;
        if (append_i(arr, w, old) < 0 || append_i(arr, c->cur_o, c->cur) < 0) {
            Py_DECREF(arr);
            return -1;
        }
        set_fld(node, S.n_writers, arr);
        Py_DECREF(arr);
        return 0;
    }
    Py_buffer b;
    if (PyObject_GetBuffer(w, &b, PyBUF_FORMAT) < 0) return -1;
    int append = 1;
    if (b.itemsize != 4) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_TypeError, "blame writers must be None, an int or an array('i')");
        return -1;
    }
    if (b.len >= 4 && ((int32_t *)b.buf)[b.len / 4 - 1] == c->cur) append = 0;
    int fi = b.format != NULL && strcmp(b.format, "i") == 0;
    PyBuffer_Release(&b);
    if (!append) return 0;
    return fi ? append_i(w, c->cur_o, c->cur) : array_append(w, c->cur_o);
}

/* The tail of Tracker.record_write once the node is found: wrote, touched, the node's writers. */
static int wrote_at(Ctx *c, PyObject *node, PyObject *path) {
    Py_ssize_t j;
    if (ctx_bufs(c) < 0 || at(c->cur, c->wrote.len, &j) < 0) return -1;
    ((unsigned char *)c->wrote.buf)[j] = 1;
    PyObject *touched = fld(c->t, S.t_touched);
    if (touched == NULL || !PyList_Check(touched)) {
        PyErr_SetString(PyExc_TypeError, "tracker.touched must be a list");
        return -1;
    }
    if (PyList_Append(touched, path) < 0) return -1;
    return blame_add(c, node);
}

/* Tracker.record_write(path), then path + (key,) when key is not NULL (a new tuple).
 *
 * The node of `path` is remembered in the context: the next write under the same tuple (the
 * tokens' keys, a tool's status then result) starts there. The same node the walk from the root
 * finds: the trie only grows (no node is ever removed), the tuple and the root are held, and a
 * tuple cannot change. */
static int c_record_write(Ctx *c, PyObject *path, PyObject *key) {
    PyObject *root = fld(c->t, S.t_blame_root), *node;
    if (root == NULL) {
        PyErr_SetString(PyExc_TypeError, "tracker.blame_root is missing");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(path);
    if (path == c->bpath && root == c->broot) {
        node = c->bnode;
        Py_INCREF(node);
    } else {
        node = root;
        Py_INCREF(node);
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *nxt = blame_child(node, PyTuple_GET_ITEM(path, i), i + 1);
            Py_DECREF(node);
            if (nxt == NULL) return -1;
            node = nxt;
        }
        Py_INCREF(path);
        Py_INCREF(root);
        Py_INCREF(node);
        Py_XSETREF(c->bpath, path);
        Py_XSETREF(c->broot, root);
        Py_XSETREF(c->bnode, node);
    }
    if (key != NULL) {
        PyObject *nxt = blame_child(node, key, n + 1);
        Py_DECREF(node);
        if (nxt == NULL) return -1;
        node = nxt;
    }
    PyObject *full = path;
    Py_INCREF(full);
    if (key != NULL) {
        Py_DECREF(full);
        full = tuple_plus(path, n, key);
        if (full == NULL) {
            Py_DECREF(node);
            return -1;
        }
    }
    int r = wrote_at(c, node, full);
    Py_DECREF(full);
    Py_DECREF(node);
    return r;
}

/* Tracker.build + set_child: a fresh opaque slot owned (and kept visible) by the current event
 * becomes the slot of `key` under `parent` (whose children `ch` are). */
static int c_put_new(Ctx *c, PyObject *ch, PyObject *key, int tomb) {
    /* a tombstone is made with vis None, then _vis(tomb, cur): the same slot in the end */
    PyObject *s = new_slot(c->cur_o, c->cur_o, Py_None, tomb);
    if (s == NULL) return -1;
    int r = add_at(c, &c->live, c->cur, 1);
    if (r == 0) r = PyDict_SetItem(ch, key, s);
    Py_DECREF(s);
    return r;
}

/* Tracker.write: assign `value` at `container[key]` (a dict key or an existing list index). */
static int c_write(Ctx *c, PyObject *parent, PyObject *container, PyObject *key, PyObject *value,
                 PyObject *path) {
    PyObject *ch = children_of(parent);
    if (ch == NULL) return -1;
    Py_INCREF(ch);
    int rc = -1;
    PyObject *old = PyDict_GetItemWithError(ch, key);
    if (old != NULL) {
        Py_INCREF(old);
        PyObject *vis = slot_get(old, S.s_vis, "vis"), *och = fld(old, S.s_children);
        int r = 0;
        if (vis == NULL) r = -1;
        else if (vis != Py_None) r = c_kill(c, old);
        else if (och != NULL && och != Py_None) {
            int full = PyObject_IsTrue(och);
            r = full < 0 ? -1 : full ? c_kill(c, old) : 0;
        }
        Py_DECREF(old);
        if (r < 0) goto out;
    } else if (PyErr_Occurred()) {
        goto out;
    } else if (PyDict_GET_SIZE(ch) == 0 && c_filled(c, parent) < 0) {
        goto out;
    }
    if (PyObject_SetItem(container, key, value) < 0) goto out;
    if (c_put_new(c, ch, key, 0) < 0) goto out;
    rc = c_record_write(c, path, key);
out:
    Py_DECREF(ch);
    return rc;
}

/* Tracker.delete: delete an existing dict key, leaving a tombstone owned by the current event. */
static int c_delete(Ctx *c, PyObject *parent, PyObject *container, PyObject *key, PyObject *path) {
    PyObject *ch = children_of(parent);
    if (ch == NULL) return -1;
    Py_INCREF(ch);
    int rc = -1;
    PyObject *old = PyDict_GetItemWithError(ch, key);
    if (old != NULL) {
        Py_INCREF(old);
        int r = c_kill(c, old);
        Py_DECREF(old);
        if (r < 0) goto out;
    } else if (PyErr_Occurred()) {
        goto out;
    }
    if (PyObject_DelItem(container, key) < 0) goto out;
    /* set_child's children.get(key): hashing again, as the Python does */
    if (c_put_new(c, ch, key, 1) < 0) goto out;
    rc = c_record_write(c, path, key);
out:
    Py_DECREF(ch);
    return rc;
}

/* ---- the direct-path helpers ------------------------------------------------------------------ */

/* `key in data` and data[key]: the value (new reference), NULL without an error when absent. */
static PyObject *lookup(PyObject *data, PyObject *key) {
    if (PyDict_CheckExact(data)) {
        PyObject *v = PyDict_GetItemWithError(data, key);
        Py_XINCREF(v);
        return v;
    }
    int has = PySequence_Contains(data, key);
    if (has <= 0) return NULL;
    return PyObject_GetItem(data, key);
}

/* A child slot (borrowed) of a slot's children dict, NULL (no error) when absent. */
static PyObject *child_of(PyObject *ch, PyObject *key) { return PyDict_GetItemWithError(ch, key); }

/* Read the absence of `key` under a slot: its tombstone, if any. */
static int c_dep_absent(Ctx *c, PyObject *ch, PyObject *key) {
    PyObject *tomb = child_of(ch, key);
    if (tomb == NULL) return PyErr_Occurred() ? -1 : 0;
    return c_dep_owner(c, tomb);
}

static inline int is_container(PyObject *v) { return PyDict_Check(v) || PyList_Check(v); }

/* step_into: (value, slot) as a new tuple */
static PyObject *c_step_into(Ctx *c, PyObject *slot, PyObject *data, PyObject *key, PyObject *path,
                           PyObject *dflt) {
    PyObject *ch = children_of(slot);
    if (ch == NULL) return NULL;
    PyObject *value = lookup(data, key);
    if (value != NULL) {
        PyObject *child = child_of(ch, key), *out = NULL;
        if (child == NULL) {
            if (PyErr_Occurred()) goto fail;
            PyObject *d = PyDict_New();
            if (d == NULL) goto fail;
            child = new_slot(S.initial, Py_None, d, 0);
            Py_DECREF(d);
            if (child == NULL) goto fail;
        } else {
            Py_INCREF(child);
            PyObject *cch = slot_get(child, S.s_children, "children");
            if (cch == NULL || (cch == Py_None && c_expand(c, child, value) < 0)) {
                Py_DECREF(child);
                goto fail;
            }
        }
        out = PyTuple_Pack(2, value, child);
        Py_DECREF(child);
        Py_DECREF(value);
        return out;
    fail:
        Py_DECREF(value);
        return NULL;
    }
    if (PyErr_Occurred()) return NULL;
    Py_INCREF(ch);
    PyObject *out = NULL;
    if (c_dep_absent(c, ch, key) < 0 || c_write(c, slot, data, key, dflt, path) < 0) goto done;
    PyObject *child = PyDict_GetItemWithError(ch, key);
    if (child == NULL) {
        if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key);
        goto done;
    }
    Py_INCREF(child);
    if (c_expand(c, child, dflt) == 0) out = PyTuple_Pack(2, dflt, child);
    Py_DECREF(child);
done:
    Py_DECREF(ch);
    return out;
}

/* read_key: (value, slot or None) as a new tuple */
static PyObject *c_read_key(Ctx *c, PyObject *slot, PyObject *data, PyObject *key, PyObject *dflt) {
    PyObject *ch = children_of(slot);
    if (ch == NULL) return NULL;
    PyObject *value = lookup(data, key);
    if (value == NULL) {
        if (PyErr_Occurred() || c_dep_absent(c, ch, key) < 0) return NULL;
        return PyTuple_Pack(2, dflt, Py_None);
    }
    PyObject *child = child_of(ch, key), *out = NULL;
    if (child == NULL) {
        if (PyErr_Occurred()) goto done;
        PyObject *d = NULL;
        if (is_container(value) && (d = PyDict_New()) == NULL) goto done;
        child = new_slot(S.initial, Py_None, d != NULL ? d : Py_None, 0);
        Py_XDECREF(d);
        if (child == NULL) goto done;
    } else {
        Py_INCREF(child);
        if (c_dep_owner(c, child) < 0) goto drop;
        PyObject *cch = fld(child, S.s_children);
        if (cch == Py_None && is_container(value) && c_expand(c, child, value) < 0) goto drop;
    }
    out = PyTuple_Pack(2, value, child);
drop:
    Py_DECREF(child);
done:
    Py_DECREF(value);
    return out;
}

/* differs: `value != other`, reading every leaf of a container value first */
static PyObject *c_differs(Ctx *c, PyObject *value, PyObject *slot, PyObject *other) {
    if (slot != Py_None && is_container(value) && c_dep_subtree(c, slot) < 0) return NULL;
    return PyObject_RichCompare(value, other, Py_NE);
}

/* append_to: list_view.append(value) of a value made for this call */
static int c_append_to(Ctx *c, PyObject *slot, PyObject *lst, PyObject *value, PyObject *path) {
    PyObject *size = slot_get(slot, S.s_size, "size");
    if (size == NULL || c_dep(c, size) < 0) return -1;
    Py_ssize_t n = PyObject_Length(lst);
    if (n < 0) return -1;
    if (n == 0 && c_filled(c, slot) < 0) return -1;
    n = PyObject_Length(lst);
    if (n < 0) return -1;
    if (PyList_CheckExact(lst)) {
        if (PyList_Append(lst, value) < 0) return -1;
    } else {
        PyObject *r = PyObject_CallMethod(lst, "append", "O", value);
        if (r == NULL) return -1;
        Py_DECREF(r);
    }
    set_fld(slot, S.s_size, c->cur_o); /* set_size */
    PyObject *ch = children_of(slot);
    if (ch == NULL) return -1;
    Py_INCREF(ch);
    PyObject *k = PyLong_FromSsize_t(n);
    int rc = k == NULL ? -1 : c_put_new(c, ch, k, 0);
    if (rc == 0) rc = c_record_write(c, path, k);
    Py_XDECREF(k);
    Py_DECREF(ch);
    return rc;
}

/* delete_key: `del view[key]`; 0 when absent (the view raises KeyError), 1 when deleted */
static int c_delete_key(Ctx *c, PyObject *slot, PyObject *data, PyObject *key, PyObject *path) {
    PyObject *ch = children_of(slot);
    if (ch == NULL) return -1;
    int has = PySequence_Contains(data, key);
    if (has < 0) return -1;
    if (!has) return c_dep_absent(c, ch, key) < 0 ? -1 : 0;
    return c_delete(c, slot, data, key, path) < 0 ? -1 : 1;
}

/* set_if_changed: `view[key] = value` unless it holds that value already (a None value is not
 * written where the key is absent) */
static int c_set_if_changed(Ctx *c, PyObject *slot, PyObject *d, PyObject *key, PyObject *value,
                          PyObject *path) {
    PyObject *ch = children_of(slot);
    if (ch == NULL) return -1;
    PyObject *now = lookup(d, key);
    if (now == NULL) {
        if (PyErr_Occurred() || c_dep_absent(c, ch, key) < 0) return -1;
        return value == Py_None ? 0 : c_write(c, slot, d, key, value, path);
    }
    int rc = -1;
    PyObject *child = child_of(ch, key);
    if (child != NULL) {
        Py_INCREF(child);
        int r = c_dep_owner(c, child);
        if (r == 0 && is_container(now)) {
            if (fld(child, S.s_children) == Py_None) r = c_expand(c, child, now);
            if (r == 0) r = c_dep_subtree(c, child);
        }
        Py_DECREF(child);
        if (r < 0) goto out;
    } else if (PyErr_Occurred()) {
        goto out;
    }
    PyObject *ne = PyObject_RichCompare(now, value, Py_NE);
    if (ne == NULL) goto out;
    int changed = PyObject_IsTrue(ne);
    Py_DECREF(ne);
    if (changed < 0) goto out;
    rc = changed ? c_write(c, slot, d, key, value, path) : 0;
out:
    Py_DECREF(now);
    return rc;
}

/* ---- the functions Python calls --------------------------------------------------------------- */

static PyObject *fallback(int f, PyObject *const *args, Py_ssize_t nargs) {
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "core._tracker: setup() was not called");
        return NULL;
    }
    return PyObject_Vectorcall(S.fallback[f], args, nargs, NULL);
}

/* May this call run here? A tracker without an undo log, the switch on, and `nargs` in range;
 * `slots` flags which arguments must be Slots, `tuples` which must be tuples. */
static int runs_here(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t lo, Py_ssize_t hi,
                     unsigned slots, unsigned tuples) {
    if (!ready || !enabled || nargs < lo || nargs > hi) return 0;
    PyObject *t = args[0];
    if (!PyObject_TypeCheck(t, S.tracker_t) || fld(t, S.t_undo) != Py_None) return 0;
    for (Py_ssize_t i = 1; i < nargs; i++) {
        if ((slots >> i) & 1 && !is_slot(args[i])) return 0;
        if ((tuples >> i) & 1 && !PyTuple_CheckExact(args[i])) return 0;
    }
    return 1;
}

#define A(i) (1u << (i))
#define HERE(F, lo, hi, slots, tuples) \
    if (!runs_here(args, nargs, lo, hi, slots, tuples)) return fallback(F, args, nargs); \
    Ctx c; \
    if (ctx_init(&c, args[0]) < 0) return NULL

static PyObject *none_or_null(Ctx *c, int r) {
    ctx_done(c);
    if (r < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *py_dep(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_DEP, 2, 2, 0, 0);
    return none_or_null(&c, c_dep(&c, args[1]));
}

static PyObject *py_dep_children(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_DEP_CHILDREN, 2, 2, A(1), 0);
    return none_or_null(&c, c_dep_children(&c, args[1]));
}

static PyObject *py_dep_subtree(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_DEP_SUBTREE, 2, 2, A(1), 0);
    return none_or_null(&c, c_dep_subtree(&c, args[1]));
}

static PyObject *py_kill(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_KILL, 2, 2, A(1), 0);
    return none_or_null(&c, c_kill(&c, args[1]));
}

static PyObject *py_expand(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_EXPAND, 3, 3, A(1), 0);
    return none_or_null(&c, c_expand(&c, args[1], args[2]));
}

static PyObject *py_write(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_WRITE, 6, 6, A(1), A(5));
    return none_or_null(&c, c_write(&c, args[1], args[2], args[3], args[4], args[5]));
}

static PyObject *py_delete(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_DELETE, 5, 5, A(1), A(4));
    return none_or_null(&c, c_delete(&c, args[1], args[2], args[3], args[4]));
}

static PyObject *py_record_write(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_RECORD_WRITE, 2, 2, 0, A(1));
    return none_or_null(&c, c_record_write(&c, args[1], NULL));
}

static PyObject *py_step_into(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_STEP_INTO, 6, 6, A(1), A(4));
    PyObject *r = c_step_into(&c, args[1], args[2], args[3], args[4], args[5]);
    ctx_done(&c);
    return r;
}

static PyObject *py_read_key(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_READ_KEY, 4, 5, A(1), 0);
    PyObject *r = c_read_key(&c, args[1], args[2], args[3], nargs > 4 ? args[4] : Py_None);
    ctx_done(&c);
    return r;
}

static PyObject *py_differs(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_DIFFERS, 4, 4, 0, 0);
    if (args[2] != Py_None && !is_slot(args[2])) return fallback(F_DIFFERS, args, nargs);
    PyObject *r = c_differs(&c, args[1], args[2], args[3]);
    ctx_done(&c);
    return r;
}

static PyObject *py_append_to(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_APPEND_TO, 5, 5, A(1), A(4));
    return none_or_null(&c, c_append_to(&c, args[1], args[2], args[3], args[4]));
}

static PyObject *py_delete_key(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_DELETE_KEY, 5, 5, A(1), A(4));
    int r = c_delete_key(&c, args[1], args[2], args[3], args[4]);
    ctx_done(&c);
    if (r < 0) return NULL;
    return PyBool_FromLong(r);
}

static PyObject *py_set_if_changed(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    HERE(F_SET_IF_CHANGED, 6, 6, A(1), A(5));
    return none_or_null(&c, c_set_if_changed(&c, args[1], args[2], args[3], args[4], args[5]));
}

/* setup(Tracker, Slot, BlameNode, INITIAL, fallbacks: dict name -> the Python function,
 *       ARRAY_DEPTH, DICT_DEPTH, SMALL_SET) */
static PyObject *py_setup(PyObject *m, PyObject *args) {
    PyObject *tt, *st, *nt, *initial, *fb;
    Py_ssize_t array_depth, dict_depth, small_set;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!nnn", &PyType_Type, &tt, &PyType_Type, &st,
                          &PyType_Type, &nt, &PyLong_Type, &initial, &PyDict_Type, &fb,
                          &array_depth, &dict_depth, &small_set))
        return NULL;
    Setup n = {0};
    n.small_set = small_set;
    n.array_depth = array_depth;
    n.dict_depth = dict_depth;
    n.tracker_t = (PyTypeObject *)tt;
    n.slot_t = (PyTypeObject *)st;
    n.node_t = (PyTypeObject *)nt;
    if (member_offset(n.tracker_t, "cur", &n.t_cur) < 0 ||
        member_offset(n.tracker_t, "live", &n.t_live) < 0 ||
        member_offset(n.tracker_t, "last_death", &n.t_last_death) < 0 ||
        member_offset(n.tracker_t, "killer", &n.t_killer) < 0 ||
        member_offset(n.tracker_t, "more_killers", &n.t_more_killers) < 0 ||
        member_offset(n.tracker_t, "deps", &n.t_deps) < 0 ||
        member_offset(n.tracker_t, "readers", &n.t_readers) < 0 ||
        member_offset(n.tracker_t, "died", &n.t_died) < 0 ||
        member_offset(n.tracker_t, "blame_root", &n.t_blame_root) < 0 ||
        member_offset(n.tracker_t, "wrote", &n.t_wrote) < 0 ||
        member_offset(n.tracker_t, "touched", &n.t_touched) < 0 ||
        member_offset(n.tracker_t, "_undo", &n.t_undo) < 0 ||
        member_offset(n.slot_t, "children", &n.s_children) < 0 ||
        member_offset(n.slot_t, "owner", &n.s_owner) < 0 ||
        member_offset(n.slot_t, "size", &n.s_size) < 0 ||
        member_offset(n.slot_t, "tomb", &n.s_tomb) < 0 ||
        member_offset(n.slot_t, "vis", &n.s_vis) < 0 ||
        member_offset(n.node_t, "children", &n.n_children) < 0 ||
        member_offset(n.node_t, "writers", &n.n_writers) < 0)
        return NULL;
    PyObject *array_mod = PyImport_ImportModule("array");
    if (array_mod == NULL) return NULL;
    PyObject *array_t = PyObject_GetAttrString(array_mod, "array");
    Py_DECREF(array_mod);
    if (array_t == NULL) return NULL;
    if (!PyType_Check(array_t)) {
        Py_DECREF(array_t);
        PyErr_SetString(PyExc_TypeError, "array.array is not a type");
        return NULL;
    }
    n.array_t = (PyTypeObject *)array_t;
    n.array_append = PyObject_GetAttrString(array_t, "append");
    if (n.array_append == NULL) {
        Py_DECREF(array_t);
        return NULL;
    }
    n.empty_i = PyObject_CallOneArg(array_t, s_i);
    n.one_i = n.empty_i == NULL ? NULL : PySequence_Repeat(n.empty_i, 1);
    if (n.one_i != NULL) {
        PyObject *r = PyObject_CallMethod(n.one_i, "append", "i", 0);
        Py_XDECREF(r);
        if (r == NULL) Py_CLEAR(n.one_i);
    }
    PySequenceMethods *sq = n.one_i == NULL ? NULL : Py_TYPE(n.one_i)->tp_as_sequence;
    int ok = sq != NULL && sq->sq_repeat != NULL && sq->sq_inplace_concat != NULL;
    if (ok && PyObject_GetBuffer(n.one_i, &n.one_buf, PyBUF_WRITABLE | PyBUF_FORMAT) < 0) ok = -1;
    if (ok == 1 && (n.one_buf.itemsize != 4 || n.one_buf.len != 4)) {
        PyBuffer_Release(&n.one_buf);
        ok = 0;
    }
    if (ok != 1) {
        if (ok == 0 && !PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "array('i') cannot be repeated or extended");
        Py_XDECREF(n.one_i);
        Py_XDECREF(n.empty_i);
        Py_DECREF(n.array_append);
        Py_DECREF(array_t);
        return NULL;
    }
    for (int f = 0; f < F_N; f++) {
        PyObject *fn = PyDict_GetItemString(fb, fallback_names[f]);
        if (fn == NULL || !PyCallable_Check(fn)) {
            PyErr_Format(PyExc_ValueError, "no Python fallback for %s", fallback_names[f]);
            for (int g = 0; g < f; g++) Py_DECREF(n.fallback[g]);
            PyBuffer_Release(&n.one_buf);
            Py_DECREF(n.one_i);
            Py_DECREF(n.empty_i);
            Py_DECREF(n.array_append);
            Py_DECREF(array_t);
            return NULL;
        }
        Py_INCREF(fn);
        n.fallback[f] = fn;
    }
    Py_INCREF(tt);
    Py_INCREF(st);
    Py_INCREF(nt);
    Py_INCREF(initial);
    n.initial = initial;
    if (ready) { /* a second setup (a reload): drop the first one's references */
        Py_DECREF(S.tracker_t);
        Py_DECREF(S.slot_t);
        Py_DECREF(S.node_t);
        Py_DECREF(S.array_t);
        Py_DECREF(S.array_append);
        Py_DECREF(S.empty_i);
        PyBuffer_Release(&S.one_buf);
        Py_DECREF(S.one_i);
        Py_DECREF(S.initial);
        for (int f = 0; f < F_N; f++) Py_DECREF(S.fallback[f]);
    }
    S = n;
    ready = 1;
    Py_RETURN_NONE;
}

/* set_enabled(flag) -> the previous flag. Off, every function calls its Python namesake. */
static PyObject *py_set_enabled(PyObject *m, PyObject *arg) {
    int on = PyObject_IsTrue(arg);
    if (on < 0) return NULL;
    PyObject *prev = PyBool_FromLong(enabled);
    enabled = on;
    return prev;
}

/* ---- the C entry points for the direct paths in C (core/_tracker.h) ------------------------------
 *
 * The same as the Python-facing functions above, with the context the caller keeps for its whole
 * record: `begin` makes the checks runs_here makes of the tracker once (setup() called, the switch
 * on, a Tracker, no undo log), each entry point those it makes of its arguments, calling the
 * Python namesake, as the Python-facing function would, for anything else. */

static int api_is_entry(PyObject *fn, int which) {
    static const PyCFunction entries[TRK_N] = {
        [TRK_STEP_INTO] = (PyCFunction)(void (*)(void))py_step_into,
        [TRK_WRITE] = (PyCFunction)(void (*)(void))py_write,
        [TRK_READ_KEY] = (PyCFunction)(void (*)(void))py_read_key,
        [TRK_DIFFERS] = (PyCFunction)(void (*)(void))py_differs,
        [TRK_SET_IF_CHANGED] = (PyCFunction)(void (*)(void))py_set_if_changed,
        [TRK_DELETE_KEY] = (PyCFunction)(void (*)(void))py_delete_key,
        [TRK_APPEND_TO] = (PyCFunction)(void (*)(void))py_append_to,
    };
    return which >= 0 && which < TRK_N && fn != NULL && PyCFunction_Check(fn) &&
           PyCFunction_GET_FUNCTION(fn) == entries[which];
}

static Py_ssize_t n_begun; /* contexts begun (direct_records(), for tests) */

static int api_begin(Ctx *c, PyObject *t) {
    memset(c, 0, sizeof(*c));
    if (!ready || !enabled || !PyObject_TypeCheck(t, S.tracker_t) || fld(t, S.t_undo) != Py_None)
        return 0;
    if (ctx_init(c, t) < 0) { /* the Python-facing functions raise this at their first call */
        PyErr_Clear();
        memset(c, 0, sizeof(*c));
        return 0;
    }
    n_begun++;
    return 1;
}

static void api_end(Ctx *c) { ctx_done(c); }

/* the Python namesake with the tracker first (a new reference) */
static PyObject *api_fallback(int f, Ctx *c, PyObject *a1, PyObject *a2, PyObject *a3,
                              PyObject *a4, PyObject *a5, Py_ssize_t nargs) {
    PyObject *args[6] = {c->t, a1, a2, a3, a4, a5};
    return fallback(f, args, nargs);
}

static int none_result(PyObject *r) {
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

static PyObject *api_step_into(Ctx *c, PyObject *slot, PyObject *data, PyObject *key,
                               PyObject *path, PyObject *dflt) {
    if (!is_slot(slot) || !PyTuple_CheckExact(path))
        return api_fallback(F_STEP_INTO, c, slot, data, key, path, dflt, 6);
    return c_step_into(c, slot, data, key, path, dflt);
}

static int api_write(Ctx *c, PyObject *slot, PyObject *container, PyObject *key, PyObject *value,
                     PyObject *path) {
    if (!is_slot(slot) || !PyTuple_CheckExact(path))
        return none_result(api_fallback(F_WRITE, c, slot, container, key, value, path, 6));
    return c_write(c, slot, container, key, value, path);
}

static PyObject *api_read_key(Ctx *c, PyObject *slot, PyObject *data, PyObject *key,
                              PyObject *dflt) {
    if (!is_slot(slot))
        return api_fallback(F_READ_KEY, c, slot, data, key, dflt, NULL, dflt == NULL ? 4 : 5);
    return c_read_key(c, slot, data, key, dflt == NULL ? Py_None : dflt);
}

static PyObject *api_differs(Ctx *c, PyObject *value, PyObject *slot, PyObject *other) {
    if (slot != Py_None && !is_slot(slot))
        return api_fallback(F_DIFFERS, c, value, slot, other, NULL, NULL, 4);
    return c_differs(c, value, slot, other);
}

static int api_set_if_changed(Ctx *c, PyObject *slot, PyObject *d, PyObject *key, PyObject *value,
                              PyObject *path) {
    if (!is_slot(slot) || !PyTuple_CheckExact(path))
        return none_result(api_fallback(F_SET_IF_CHANGED, c, slot, d, key, value, path, 6));
    return c_set_if_changed(c, slot, d, key, value, path);
}

static PyObject *api_delete_key(Ctx *c, PyObject *slot, PyObject *data, PyObject *key,
                                PyObject *path) {
    if (!is_slot(slot) || !PyTuple_CheckExact(path))
        return api_fallback(F_DELETE_KEY, c, slot, data, key, path, NULL, 5);
    int r = c_delete_key(c, slot, data, key, path);
    return r < 0 ? NULL : PyBool_FromLong(r);
}

static int api_append_to(Ctx *c, PyObject *slot, PyObject *lst, PyObject *value, PyObject *path) {
    if (!is_slot(slot) || !PyTuple_CheckExact(path))
        return none_result(api_fallback(F_APPEND_TO, c, slot, lst, value, path, NULL, 5));
    return c_append_to(c, slot, lst, value, path);
}

/* api_call(name, t, *args): the entry point `name` (TRK_*'s Python name) called as a consumer
 * calls it, with a context for this one call, or the Python-facing function where `begin` says
 * 0. For tests: the direct paths only ever pass Slots and tuples, this passes anything. */
static PyObject *py_api_call(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    static const char *names[TRK_N] = {
        [TRK_STEP_INTO] = "step_into", [TRK_WRITE] = "write", [TRK_READ_KEY] = "read_key",
        [TRK_DIFFERS] = "differs", [TRK_SET_IF_CHANGED] = "set_if_changed",
        [TRK_DELETE_KEY] = "delete_key", [TRK_APPEND_TO] = "append_to"};
    static const Py_ssize_t lo[TRK_N] = {6, 6, 4, 4, 6, 5, 5}, hi[TRK_N] = {6, 6, 5, 4, 6, 5, 5};
    int w = -1;
    if (nargs >= 1 && PyUnicode_Check(args[0]))
        for (int i = 0; i < TRK_N; i++)
            if (PyUnicode_CompareWithASCIIString(args[0], names[i]) == 0) w = i;
    if (w < 0 || nargs - 1 < lo[w] || nargs - 1 > hi[w]) {
        PyErr_SetString(PyExc_TypeError, "api_call(name, t, *args): unknown name or arity");
        return NULL;
    }
    PyObject *const *a = args + 1;
    Ctx c;
    if (!api_begin(&c, a[0])) {
        static PyObject *(*const py[TRK_N])(PyObject *, PyObject *const *, Py_ssize_t) = {
            py_step_into, py_write, py_read_key, py_differs, py_set_if_changed, py_delete_key,
            py_append_to};
        return py[w](m, a, nargs - 1);
    }
    PyObject *r = NULL;
    int rc = 0;
    switch (w) {
    case TRK_STEP_INTO: r = api_step_into(&c, a[1], a[2], a[3], a[4], a[5]); break;
    case TRK_WRITE: rc = api_write(&c, a[1], a[2], a[3], a[4], a[5]); break;
    case TRK_READ_KEY: r = api_read_key(&c, a[1], a[2], a[3], nargs > 5 ? a[4] : NULL); break;
    case TRK_DIFFERS: r = api_differs(&c, a[1], a[2], a[3]); break;
    case TRK_SET_IF_CHANGED: rc = api_set_if_changed(&c, a[1], a[2], a[3], a[4], a[5]); break;
    case TRK_DELETE_KEY: r = api_delete_key(&c, a[1], a[2], a[3], a[4]); break;
    case TRK_APPEND_TO: rc = api_append_to(&c, a[1], a[2], a[3], a[4]); break;
    }
    api_end(&c);
    if (w == TRK_WRITE || w == TRK_SET_IF_CHANGED || w == TRK_APPEND_TO) {
        if (rc < 0) return NULL;
        Py_RETURN_NONE;
    }
    return r;
}

/* direct_records() -> how many contexts the direct paths began (records run through the entry
 * points), for tests */
static PyObject *py_direct_records(PyObject *m, PyObject *unused) {
    return PyLong_FromSsize_t(n_begun);
}

static const TrkAPI api = {
    .abi = TRK_ABI,
    .ctx_size = sizeof(TrkCtx),
    .is_entry = api_is_entry,
    .begin = api_begin,
    .end = api_end,
    .step_into = api_step_into,
    .write = api_write,
    .read_key = api_read_key,
    .differs = api_differs,
    .set_if_changed = api_set_if_changed,
    .delete_key = api_delete_key,
    .append_to = api_append_to,
};

#define FAST(name, doc) {#name, (PyCFunction)(void (*)(void))py_##name, METH_FASTCALL, doc}

static PyMethodDef methods[] = {
    {"setup", py_setup, METH_VARARGS, "Bind the Tracker, Slot and BlameNode classes and fallbacks."},
    {"set_enabled", py_set_enabled, METH_O, "Switch the C path on or off; returns the old flag."},
    FAST(dep, "Tracker.dep(t, owner)"),
    FAST(dep_children, "Tracker.dep_children(t, slot)"),
    FAST(dep_subtree, "Tracker.dep_subtree(t, slot)"),
    FAST(kill, "Tracker.kill(t, slot)"),
    FAST(expand, "Tracker.expand(t, slot, value)"),
    FAST(write, "Tracker.write(t, parent, container, key, value, path)"),
    FAST(delete, "Tracker.delete(t, parent, container, key, path)"),
    FAST(record_write, "Tracker.record_write(t, path)"),
    FAST(step_into, "step_into(t, slot, data, key, path, default) -> (value, slot)"),
    FAST(read_key, "read_key(t, slot, data, key, default=None) -> (value, slot or None)"),
    FAST(differs, "differs(t, value, slot, other) -> value != other"),
    FAST(append_to, "append_to(t, slot, lst, value, path)"),
    FAST(delete_key, "delete_key(t, slot, data, key, path) -> bool"),
    FAST(set_if_changed, "set_if_changed(t, slot, d, key, value, path)"),
    FAST(api_call, "api_call(name, t, *args): a C entry point of core/_tracker.h (for tests)"),
    {"direct_records", py_direct_records, METH_NOARGS,
     "How many records the direct paths ran through the C entry points (for tests)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "agentlog_tui.core._tracker", NULL, -1,
                                    methods};

PyMODINIT_FUNC PyInit__tracker(void) {
    s_keys = PyUnicode_InternFromString("keys");
    s_i = PyUnicode_InternFromString("i");
    if (s_keys == NULL || s_i == NULL) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    PyObject *cap = PyCapsule_New((void *)&api, TRK_CAPSULE, NULL);
    if (cap == NULL || PyModule_AddObject(m, "_C_API", cap) < 0) {
        Py_XDECREF(cap);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
