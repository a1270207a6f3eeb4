/* The reading loop of the default case in C: the generic agentlog format folded by the built-in
 * entity projection. It is a transliteration of the common path of Analysis._run_fused (and of
 * EntityProjection.apply_parts with the Tracker calls it makes), for speed only.
 *
 * It handles a line only when every step is the plain one: the line parses to an object with a
 * string type already registered, an integer id one above the last, an ISO timestamp not earlier
 * than the previous one, a payload, and tracker slots in their usual shapes. At the first line
 * that is anything else it stops *before touching anything* and returns, and the Python side
 * handles that line the general way and calls again. So nothing here decides a rare case; a
 * property test holds this path, the Python fused loop and the general path to the same analysis.
 *
 * Python side: core/fastpath.py. Built as an optional extension: without a compiler the Python
 * loop runs instead (slower, same results).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include "structmember.h"
#include "_one_line.h"

enum { C_LOADS, C_TYPE, C_ID, C_TS, C_DATA, C_KEY, C_KEY_FIELDS, C_TYPE_INFO, C_STATE, C_ROOT,
       C_BLAME_ROOT, C_EFFECTS, C_LIVE, C_LAST_DEATH, C_KILLER, C_WROTE, C_TIDS, C_DIED,
       C_LINES, C_SEQS, C_SLOT, C_BLAME_NODE, C_TOUCHED, C_N };

/* flags in a type's info tuple (tid, entity, verb, flags) */
#define F_TOMB 1
#define F_EFFECT 2
#define F_GENERAL 4

/* status returned */
#define ST_END 0   /* every line up to j done */
#define ST_BAIL 1  /* line `next` needs the general path (nothing of it was applied) */
#define ST_CHECKPOINT 2 /* a checkpoint is due after the last event; `next` not looked at */

static PyObject *s_children, *s_owner, *s_vis, *s_tomb, *s_writers, *s_append, *s_status,
    *s_value;

typedef struct {
    int32_t *live, *last_death, *killer, *died;
    uint32_t *tids;
    int32_t *lines;  /* per event of this call: its 0-based line */
    int64_t *seqs;   /* per event of this call: its id */
    unsigned char *wrote;
} Arrays;

/* Where Slot's and BlameNode's __slots__ live in their objects: read from their member
 * descriptors at every call (a class could change between calls, never during one), so that the
 * loop reads and writes them directly instead of through attribute lookups. */
typedef struct {
    PyTypeObject *slot_t, *node_t;
    Py_ssize_t children, owner, vis, tomb, n_children, n_writers;
    PyTypeObject *array_t; /* array.array, whose `append` ... */
    PyObject *append;      /* ... is called directly (no method lookup per event) */
} Layout;

static int member_offset(PyTypeObject *t, PyObject *name, Py_ssize_t *off) {
    PyObject *d = PyObject_GetAttr((PyObject *)t, name);
    if (d == NULL) return -1;
    int ok = Py_IS_TYPE(d, &PyMemberDescr_Type) &&
             ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX;
    if (ok) *off = ((PyMemberDescrObject *)d)->d_member->offset;
    Py_DECREF(d);
    if (!ok) PyErr_Format(PyExc_TypeError, "%U is not a plain __slots__ member", name);
    return ok ? 0 : -1;
}

static int get_layout(Layout *ly, PyObject *slot_t, PyObject *node_t) {
    if (!PyType_Check(slot_t) || !PyType_Check(node_t)) {
        PyErr_SetString(PyExc_TypeError, "Slot and BlameNode must be classes");
        return -1;
    }
    ly->slot_t = (PyTypeObject *)slot_t;
    ly->node_t = (PyTypeObject *)node_t;
    if (member_offset(ly->slot_t, s_children, &ly->children) < 0 ||
        member_offset(ly->slot_t, s_owner, &ly->owner) < 0 ||
        member_offset(ly->slot_t, s_vis, &ly->vis) < 0 ||
        member_offset(ly->slot_t, s_tomb, &ly->tomb) < 0 ||
        member_offset(ly->node_t, s_children, &ly->n_children) < 0 ||
        member_offset(ly->node_t, s_writers, &ly->n_writers) < 0)
        return -1;
    return 0;
}

/* A member of an object (borrowed; NULL when unset). */
static inline PyObject *fld(PyObject *o, Py_ssize_t off) { return *(PyObject **)((char *)o + off); }

static inline void set_fld(PyObject *o, Py_ssize_t off, PyObject *v) {
    PyObject **p = (PyObject **)((char *)o + off), *old = *p;
    Py_INCREF(v);
    *p = v;
    Py_XDECREF(old);
}

/* The event a slot keeps visible (-1 for None); -2 for anything unexpected. */
static long slot_vis(const Layout *ly, PyObject *slot) {
    PyObject *v = fld(slot, ly->vis);
    if (v == NULL) return -2;
    if (v == Py_None) return -1;
    if (!PyLong_CheckExact(v)) return -2;
    long out = PyLong_AsLong(v);
    if (out == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return -2;
    }
    return out < 0 ? -2 : out;
}

/* 1 when `slot` is a Slot holding a plain value (no children), with `*is_tomb` set; 0 for
 * anything else (a container, an unexpected object). */
static int plain_slot(const Layout *ly, PyObject *slot, int *is_tomb) {
    if (!Py_IS_TYPE(slot, ly->slot_t) || fld(slot, ly->children) != Py_None) return 0;
    PyObject *t = fld(slot, ly->tomb);
    if (t != Py_True && t != Py_False) return 0;
    *is_tomb = t == Py_True;
    return 1;
}

/* A dict member (borrowed) of an object of type t, or NULL. */
static inline PyObject *dict_fld(PyObject *o, PyTypeObject *t, Py_ssize_t off) {
    if (!Py_IS_TYPE(o, t)) return NULL;
    PyObject *d = fld(o, off);
    return d != NULL && PyDict_CheckExact(d) ? d : NULL;
}

/* Would the death of event e's slot, overwritten by `pos`, need the rare bookkeeping (a second
 * killer)? Then the whole event goes the general way. */
static inline int needs_general_death(const Arrays *a, long e, Py_ssize_t pos) {
    if (e < 0) return 0;
    if (e >= pos) return 1;
    int32_t k = a->killer[e];
    return k >= 0 && k != pos;
}

static inline void die(Arrays *a, long e, Py_ssize_t pos, Py_ssize_t *nd) {
    if (e < 0) return;
    a->live[e] -= 1;
    if (a->live[e] == 0) a->died[(*nd)++] = (int32_t)e;
    if (a->last_death[e] < pos) a->last_death[e] = (int32_t)pos;
    if (a->killer[e] < 0) a->killer[e] = (int32_t)pos;
}

/* Make `slot` the slot of a value written (or deleted, tomb=1) by pos. */
static void own(const Layout *ly, PyObject *slot, PyObject *pos_obj, int tomb) {
    set_fld(slot, ly->owner, pos_obj);
    set_fld(slot, ly->vis, pos_obj);
    set_fld(slot, ly->tomb, tomb ? Py_True : Py_False);
}

static int blame_append(const Layout *ly, PyObject *node, PyObject *pos_obj) {
    PyObject *w = fld(node, ly->n_writers);
    if (w == NULL) {
        PyErr_SetString(PyExc_TypeError, "a blame node without writers");
        return -1;
    }
    PyObject *r;
    if (Py_IS_TYPE(w, ly->array_t)) {
        PyObject *args[2] = {w, pos_obj};
        r = PyObject_Vectorcall(ly->append, args, 2, NULL);
    } else {
        r = PyObject_CallMethodOneArg(w, s_append, pos_obj);
    }
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

/* The subject of an event (a new reference), Py_None (new ref) when it has none, NULL on error. */
static PyObject *subject_of(PyObject *key, PyObject *data, PyObject *key_fields) {
    if (key != NULL && (PyUnicode_CheckExact(key) || PyLong_CheckExact(key)))
        return PyObject_Str(key);
    if (PyDict_CheckExact(data)) {
        Py_ssize_t n = PyTuple_GET_SIZE(key_fields);
        for (Py_ssize_t f = 0; f < n; f++) {
            PyObject *v = PyDict_GetItemWithError(data, PyTuple_GET_ITEM(key_fields, f));
            if (v == NULL) {
                if (PyErr_Occurred()) return NULL;
                continue;
            }
            if (PyUnicode_CheckExact(v) || PyLong_CheckExact(v)) return PyObject_Str(v);
        }
    }
    Py_RETURN_NONE;
}

static PyObject *make_value(PyObject *verb, PyObject *data) {
    /* sized for the payload at once: no resize while it is filled */
    PyObject *v = _PyDict_NewPresized(1 + (PyDict_CheckExact(data) ? PyDict_GET_SIZE(data) : 1));
    if (v == NULL) return NULL;
    if (PyDict_SetItem(v, s_status, verb) < 0) goto fail;
    if (PyDict_CheckExact(data)) {
        if (PyDict_Update(v, data) < 0) goto fail;
    } else if (PyDict_SetItem(v, s_value, data) < 0) goto fail;
    return v;
fail:
    Py_DECREF(v);
    return NULL;
}

static int get_buffer(PyObject *o, Py_buffer *b, Py_ssize_t itemsize) {
    if (PyObject_GetBuffer(o, b, PyBUF_WRITABLE | PyBUF_FORMAT) < 0) return -1;
    if (b->itemsize != itemsize) {
        PyBuffer_Release(b);
        PyErr_SetString(PyExc_TypeError, "unexpected array item size");
        return -1;
    }
    return 0;
}

/* May `old`, a slot that event `pos` overwrites (or deletes, tomb=1), be handled here? Sets *e to
 * the event whose slot dies (-1: none). */
static int plain_old(const Layout *ly, const Arrays *a, PyObject *old, int tomb, Py_ssize_t pos,
                     long *e) {
    int is_tomb = 0;
    if (plain_slot(ly, old, &is_tomb) != 1 || (tomb && is_tomb)) return 0;
    *e = slot_vis(ly, old);
    return *e != -2 && !needs_general_death(a, *e, pos);
}

/* Outcome of one line. */
enum { L_DONE, L_GENERAL, L_ERROR };

typedef struct {
    PyObject **ctx;
    Arrays *a;
    PyObject *rch;  /* root.children */
    PyObject *bch;  /* blame_root.children */
    int has_id;
    int has_max;
    long long max_seq;
    PyObject *prev_ts; /* borrowed from an object kept alive by `keep` */
    PyObject *keep;    /* the object prev_ts came from (a new reference), or NULL */
    PyObject *sfl;     /* id -> first line, once ids went backwards (else None) */
    Layout ly;
    Py_ssize_t nd;
} Loop;

/* Apply one parsed object as event number `pos` if it is plain; L_GENERAL (with nothing
 * changed) otherwise. */
static int one(Loop *L, PyObject *obj, Py_ssize_t pos, Py_ssize_t n, Py_ssize_t line) {
    PyObject **ctx = L->ctx;
    Arrays *a = L->a;
    int rc = L_GENERAL;
    PyObject *seq_obj = NULL;
    PyObject *subject = NULL, *value = NULL, *pos_obj = NULL, *old = NULL, *es = NULL,
             *ech = NULL, *node = NULL, *node2 = NULL, *nch = NULL, *created = NULL;

    PyObject *t = PyDict_GetItemWithError(obj, ctx[C_TYPE]);
    if (t == NULL || !PyUnicode_CheckExact(t)) goto out;
    PyObject *info = PyDict_GetItemWithError(ctx[C_TYPE_INFO], t);
    if (info == NULL) goto out;
    long flags = PyLong_AsLong(PyTuple_GET_ITEM(info, 3));
    if (flags & F_GENERAL) goto out;
    PyObject *entity = PyTuple_GET_ITEM(info, 1), *verb = PyTuple_GET_ITEM(info, 2);
    long tid = PyLong_AsLong(PyTuple_GET_ITEM(info, 0));

    long long seq = 0;
    if (L->has_id) {
        PyObject *so = PyDict_GetItemWithError(obj, ctx[C_ID]);
        if (so == NULL || !PyLong_CheckExact(so)) goto out;
        seq_obj = so;
        int overflow = 0;
        seq = PyLong_AsLongLongAndOverflow(so, &overflow);
        if (overflow || (seq == -1 && PyErr_Occurred())) goto out;
        if (!L->has_max || L->max_seq == LLONG_MAX || seq != L->max_seq + 1) goto out;
    }
    PyObject *data = PyDict_GetItemWithError(obj, ctx[C_DATA]);
    if (data == NULL) goto out;
    PyObject *ts = NULL;
    if (ctx[C_TS] != Py_None) {
        ts = PyDict_GetItemWithError(obj, ctx[C_TS]);
        if (ts == NULL && PyErr_Occurred()) goto out;
        if (ts == Py_None) ts = NULL;
        if (ts != NULL) {
            PyObject *p = L->prev_ts;
            if (!PyUnicode_CheckExact(ts) || p == NULL || !PyUnicode_CheckExact(p)) goto out;
            Py_ssize_t len = PyUnicode_GET_LENGTH(ts);
            if (len == 0 || len != PyUnicode_GET_LENGTH(p)) goto out;
            if (PyUnicode_READ_CHAR(ts, len - 1) != 'Z' || PyUnicode_READ_CHAR(p, len - 1) != 'Z')
                goto out;
            int c = PyUnicode_Compare(ts, p);
            if (c < 0) goto out; /* backwards: an integrity finding, reported the general way */
            if (c == -1 && PyErr_Occurred()) goto out;
        }
    }
    PyObject *key = PyDict_GetItemWithError(obj, ctx[C_KEY]);
    if (key == NULL && PyErr_Occurred()) goto out;
    subject = subject_of(key, data, ctx[C_KEY_FIELDS]);
    if (subject == NULL) goto out;
    int tomb = (flags & F_TOMB) != 0;
    PyObject *state = ctx[C_STATE];

    /* ---- decide, touching nothing ---- */
    long e = -1;       /* the event whose slot dies */
    int noop = 0;      /* a delete of something absent: no write at all */
    PyObject *container = NULL;
    if (subject == Py_None) {
        if (tomb) {
            int has = PyDict_Contains(state, entity);
            if (has < 0) goto out;
            if (!has) noop = 1;
        }
        if (!noop) {
            old = PyDict_GetItemWithError(L->rch, entity);
            if (old == NULL) goto out;
            Py_INCREF(old);
            if (!plain_old(&L->ly, a, old, tomb, pos, &e)) goto out;
            node = PyDict_GetItemWithError(L->bch, entity);
            if (node == NULL) goto out;
            Py_INCREF(node);
        }
    } else {
        container = PyDict_GetItemWithError(state, entity);
        if (container == NULL || !PyDict_CheckExact(container)) goto out;
        es = PyDict_GetItemWithError(L->rch, entity);
        if (es == NULL) goto out;
        ech = dict_fld(es, L->ly.slot_t, L->ly.children);
        if (ech == NULL) goto out;
        if (tomb) {
            int has = PyDict_Contains(container, subject);
            if (has < 0) goto out;
            if (!has) noop = 1;
        } else if (PyDict_GET_SIZE(ech) == 0) {
            goto out; /* the first child fills an empty container: general */
        }
        if (!noop) {
            old = PyDict_GetItemWithError(ech, subject);
            if (old == NULL && (tomb || PyErr_Occurred())) goto out;
            Py_XINCREF(old);
            if (old != NULL && !plain_old(&L->ly, a, old, tomb, pos, &e)) goto out;
            node = PyDict_GetItemWithError(L->bch, entity);
            if (node == NULL) goto out;
            Py_INCREF(node);
            nch = dict_fld(node, L->ly.node_t, L->ly.n_children);
            if (nch == NULL) goto out;
            node2 = PyDict_GetItemWithError(nch, subject);
            if (node2 == NULL && (tomb || PyErr_Occurred())) goto out;
            Py_XINCREF(node2);
        }
    }
    if (!noop && !tomb) {
        value = make_value(verb, data);
        if (value == NULL) goto out;
    }
    pos_obj = PyLong_FromSsize_t(pos);
    if (pos_obj == NULL) goto out;
    if (!noop && subject != Py_None) {
        /* objects that may have to be made: made before anything changes */
        if (old == NULL) {
            created = PyObject_CallFunctionObjArgs(ctx[C_SLOT], pos_obj, pos_obj, Py_None, NULL);
            if (created == NULL) goto out;
        }
        if (node2 == NULL) {
            node2 = PyObject_CallNoArgs(ctx[C_BLAME_NODE]);
            if (node2 == NULL) goto out;
            if (PyDict_SetItem(nch, subject, node2) < 0) goto out;
        }
    }

    /* ---- apply: from here on nothing can decide otherwise ---- */
    rc = L_ERROR;
    if (flags & F_EFFECT) {
        PyObject *eff = PyTuple_Pack(2, entity, subject);
        if (eff == NULL) goto out;
        int r = PyDict_SetItem(ctx[C_EFFECTS], pos_obj, eff);
        Py_DECREF(eff);
        if (r < 0) goto out;
    }
    if (!noop) {
        PyObject *target = subject == Py_None ? state : container;
        PyObject *k = subject == Py_None ? entity : subject;
        if (tomb) {
            if (PyDict_DelItem(target, k) < 0) goto out;
        } else if (PyDict_SetItem(target, k, value) < 0) goto out;
        die(a, e, pos, &L->nd);
        if (created != NULL) {
            if (PyDict_SetItem(ech, subject, created) < 0) goto out;
        } else {
            own(&L->ly, old, pos_obj, tomb);
        }
        a->live[pos] += 1;
        a->wrote[pos] = 1;
        if (blame_append(&L->ly, subject == Py_None ? node : node2, pos_obj) < 0) goto out;
        /* the path written, for the next checkpoint's delta (Tracker.pairs): entity, then
         * subject or None, flat (a tuple per event cost the generic loop ~10% in allocations
         * and collections) */
        if (PyList_Append(ctx[C_TOUCHED], entity) < 0 || PyList_Append(ctx[C_TOUCHED], subject) < 0)
            goto out;
    }
    if (seq_obj != NULL && L->sfl != Py_None) {
        PyObject *ln = PyLong_FromSsize_t(line);
        if (ln == NULL) goto out;
        int r = PyDict_SetItem(L->sfl, seq_obj, ln);
        Py_DECREF(ln);
        if (r < 0) goto out;
    }
    a->tids[n] = (uint32_t)tid;
    a->lines[n] = (int32_t)(line - 1);
    a->seqs[n] = L->has_id ? seq : (int64_t)line;
    if (L->has_id) L->max_seq = seq;
    if (ts != NULL) {
        Py_XDECREF(L->keep);
        Py_INCREF(obj);
        L->keep = obj; /* keeps ts alive */
        L->prev_ts = ts;
    }
    rc = L_DONE;
out:
    if (rc == L_GENERAL && PyErr_Occurred()) PyErr_Clear();
    Py_XDECREF(subject);
    Py_XDECREF(value);
    Py_XDECREF(pos_obj);
    Py_XDECREF(old);
    Py_XDECREF(node);
    Py_XDECREF(node2);
    Py_XDECREF(created);
    return rc;
}

/* run(ctx, chunk, base, bounds, i, j, pos, last_cp, every, has_max, max_seq, prev_ts, first_lines)
 *   -> (status, next_line, n_events, max_seq, prev_ts, n_died)
 * Lines i..j-1 of the chunk (which starts at byte `base` of the file; `bounds` is the line
 * index) become events pos, pos+1, ... until one needs the general path or a checkpoint is due. */
static PyObject *run(PyObject *self, PyObject *args) {
    PyObject *ctx_t, *bounds_o, *prev_ts, *sfl;
    Py_buffer chunk;
    Py_ssize_t base, i, j, pos, last_cp, every;
    int has_max;
    long long max_seq;
    if (!PyArg_ParseTuple(args, "O!y*nOnnnnnpLOO", &PyTuple_Type, &ctx_t, &chunk, &base,
                          &bounds_o, &i, &j, &pos, &last_cp, &every, &has_max, &max_seq, &prev_ts,
                          &sfl))
        return NULL;
    PyObject *result = NULL;
    Py_buffer bb = {0}, bl = {0}, bd = {0}, bk = {0}, bw = {0}, bt = {0}, bx = {0}, bn = {0},
              bs = {0};
    if (PyTuple_GET_SIZE(ctx_t) != C_N) {
        PyErr_SetString(PyExc_ValueError, "bad context");
        PyBuffer_Release(&chunk);
        return NULL;
    }
    PyObject **ctx = &PyTuple_GET_ITEM(ctx_t, 0);
    PyObject *root = ctx[C_ROOT], *blame_root = ctx[C_BLAME_ROOT];
    Loop L = {0};
    PyObject *rch = NULL, *bch = NULL;
    if (get_layout(&L.ly, ctx[C_SLOT], ctx[C_BLAME_NODE]) < 0) goto done;
    L.ly.array_t = Py_TYPE(ctx[C_LIVE]);
    L.ly.append = PyObject_GetAttr((PyObject *)L.ly.array_t, s_append);
    if (L.ly.append == NULL) goto done;
    rch = dict_fld(root, L.ly.slot_t, L.ly.children);
    bch = dict_fld(blame_root, L.ly.node_t, L.ly.n_children);
    if (rch == NULL || bch == NULL) {
        PyErr_SetString(PyExc_TypeError, "unexpected tracker shape");
        goto done;
    }
    Py_INCREF(rch);
    Py_INCREF(bch);
    if (PyObject_GetBuffer(bounds_o, &bb, PyBUF_FORMAT) < 0) goto done;
    if (bb.itemsize != 8) {
        PyErr_SetString(PyExc_TypeError, "bounds must be an array of 8-byte integers");
        goto done;
    }
    if (get_buffer(ctx[C_LIVE], &bl, 4) < 0 || get_buffer(ctx[C_LAST_DEATH], &bd, 4) < 0 ||
        get_buffer(ctx[C_KILLER], &bk, 4) < 0 || get_buffer(ctx[C_WROTE], &bw, 1) < 0 ||
        get_buffer(ctx[C_TIDS], &bt, 4) < 0 || get_buffer(ctx[C_DIED], &bx, 4) < 0 ||
        get_buffer(ctx[C_LINES], &bn, 4) < 0 || get_buffer(ctx[C_SEQS], &bs, 8) < 0)
        goto done;
    Arrays a = {bl.buf, bd.buf, bk.buf, bx.buf, bt.buf, bn.buf, bs.buf, bw.buf};
    Py_ssize_t cap = bl.len / 4;
    if (bd.len / 4 < cap) cap = bd.len / 4;
    if (bk.len / 4 < cap) cap = bk.len / 4;
    if (bw.len < cap) cap = bw.len;
    Py_ssize_t nbounds = bb.len / 8;
    const uint64_t *bounds = bb.buf;
    /* every event may kill one slot: room for j - i deaths and type ids */
    if (pos + (j - i) > cap || bt.len / 4 < j - i || bx.len / 4 < j - i ||
        bn.len / 4 < j - i || bs.len / 8 < j - i || j + 1 > nbounds || i < 0) {
        PyErr_SetString(PyExc_ValueError, "arrays too small for the range");
        goto done;
    }
    L.ctx = ctx;
    L.a = &a;
    L.rch = rch;
    L.bch = bch;
    L.has_id = ctx[C_ID] != Py_None;
    L.has_max = has_max;
    L.max_seq = max_seq;
    L.prev_ts = prev_ts == Py_None ? NULL : prev_ts;
    L.sfl = sfl;
    if (!PyList_CheckExact(ctx[C_TOUCHED])) {
        PyErr_SetString(PyExc_TypeError, "touched must be a list");
        goto done;
    }
    if (sfl != Py_None && !PyDict_CheckExact(sfl)) {
        PyErr_SetString(PyExc_TypeError, "first_lines must be a dict or None");
        goto done;
    }
    const char *buf = chunk.buf;
    int status = ST_END;
    Py_ssize_t k = i, n = 0;
    for (; k < j; k++) {
        if (k == 0) { status = ST_BAIL; break; } /* a first line may carry a BOM */
        Py_ssize_t s = (Py_ssize_t)bounds[k] - base, e = (Py_ssize_t)bounds[k + 1] - 1 - base;
        if (s < 0 || e > chunk.len || e < s) {
            PyErr_SetString(PyExc_ValueError, "line outside the chunk");
            goto done;
        }
        Py_ssize_t len = e - s;
        if (len > 0 && buf[s + len - 1] == '\r') len--;
        if (len == 0) { status = ST_BAIL; break; }
        PyObject *line = PyBytes_FromStringAndSize(buf + s, len);
        if (line == NULL) goto done;
        PyObject *obj = PyObject_CallOneArg(ctx[C_LOADS], line);
        Py_DECREF(line);
        if (obj == NULL) {
            PyErr_Clear();
            status = ST_BAIL;
            break;
        }
        int r = PyDict_CheckExact(obj) ? one(&L, obj, pos + n, n, k + 1) : L_GENERAL;
        Py_DECREF(obj);
        if (r == L_ERROR) goto done;
        if (r == L_GENERAL) { status = ST_BAIL; break; }
        n++;
        if (pos + n - 1 - last_cp >= every) { k++; status = ST_CHECKPOINT; break; }
    }
    {
        PyObject *pts = L.prev_ts != NULL ? L.prev_ts : prev_ts;
        result = Py_BuildValue("(innLOn)", status, k, n, L.max_seq, pts, L.nd);
    }
done:
    Py_XDECREF(L.ly.append);
    Py_XDECREF(L.keep);
    Py_XDECREF(rch);
    Py_XDECREF(bch);
    if (bb.obj) PyBuffer_Release(&bb);
    if (bl.obj) PyBuffer_Release(&bl);
    if (bd.obj) PyBuffer_Release(&bd);
    if (bk.obj) PyBuffer_Release(&bk);
    if (bw.obj) PyBuffer_Release(&bw);
    if (bt.obj) PyBuffer_Release(&bt);
    if (bx.obj) PyBuffer_Release(&bx);
    if (bn.obj) PyBuffer_Release(&bn);
    if (bs.obj) PyBuffer_Release(&bs);
    PyBuffer_Release(&chunk);
    return result;
}

/* line_starts(chunk, i, base) -> bytes: for every newline in chunk[i:], the file offset just past
 * it (base + index + 1), as native 8-byte integers (to extend an array('Q') with frombytes). */
static PyObject *line_starts(PyObject *self, PyObject *args) {
    Py_buffer chunk;
    Py_ssize_t i, base;
    if (!PyArg_ParseTuple(args, "y*nn", &chunk, &i, &base)) return NULL;
    const char *buf = chunk.buf, *end = buf + chunk.len, *p = buf + (i < 0 ? 0 : i);
    Py_ssize_t count = 0;
    for (const char *q = p; q < end && (q = memchr(q, '\n', end - q)) != NULL; q++) count++;
    PyObject *out = PyBytes_FromStringAndSize(NULL, count * 8);
    if (out != NULL) {
        uint64_t *w = (uint64_t *)PyBytes_AS_STRING(out);
        for (const char *q = p; q < end && (q = memchr(q, '\n', end - q)) != NULL; q++)
            *w++ = (uint64_t)(base + (q - buf) + 1);
    }
    PyBuffer_Release(&chunk);
    return out;
}

/* first_marks(live, last_death, killer, wrote, m, at) -> bytearray: for positions 0..m-1,
 * 0 (visible at `at`) when the event keeps a slot visible now or kept one past `at`, else 2
 * (overwritten: it wrote and someone overwrote it) or 3 (no effect). liveness.py then marks
 * the events live ones read from. */
static PyObject *first_marks(PyObject *self, PyObject *args) {
    PyObject *lo, *do_, *ko, *wo;
    Py_ssize_t m, at;
    if (!PyArg_ParseTuple(args, "OOOOnn", &lo, &do_, &ko, &wo, &m, &at)) return NULL;
    Py_buffer bl = {0}, bd = {0}, bk = {0}, bw = {0};
    PyObject *out = NULL;
    if (get_buffer(lo, &bl, 4) < 0 || get_buffer(do_, &bd, 4) < 0 || get_buffer(ko, &bk, 4) < 0 ||
        get_buffer(wo, &bw, 1) < 0)
        goto done;
    if (m < 0 || bl.len / 4 < m || bd.len / 4 < m || bk.len / 4 < m || bw.len < m) {
        PyErr_SetString(PyExc_ValueError, "arrays shorter than m");
        goto done;
    }
    out = PyByteArray_FromStringAndSize(NULL, m);
    if (out == NULL) goto done;
    {
        char *c = PyByteArray_AS_STRING(out);
        const int32_t *live = bl.buf, *last_death = bd.buf, *killer = bk.buf;
        const unsigned char *wrote = bw.buf;
        for (Py_ssize_t p = 0; p < m; p++) {
            if (live[p] > 0 || last_death[p] > at) c[p] = 0;
            else c[p] = (wrote[p] && killer[p] >= 0) ? 2 : 3;
        }
    }
done:
    if (bl.obj) PyBuffer_Release(&bl);
    if (bd.obj) PyBuffer_Release(&bd);
    if (bk.obj) PyBuffer_Release(&bk);
    if (bw.obj) PyBuffer_Release(&bw);
    return out;
}

/* ---- one-line summaries (core/formats/claude_code.py `one_line`, `count_lines`) ----------------
 * The Claude Code and Codex projections put a one-line summary of most records into their state;
 * these are the string steps of it, which in Python cost a split, a join and a translate over a
 * prefix of every text. Same answers as the Python fallbacks (a property test holds them). */

/* one_line_text(text: str, width: int) -> str: the words of `text` (split at what str.split()
 * splits at) joined by single spaces; when that is longer than `width`, its first width - 1
 * characters and an ellipsis; then every C0 control character and DEL shown as `?`. Reads only
 * as far as the first width + 1 characters of the answer need. */
static PyObject *one_line_text(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "one_line_text(text: str, width: int)");
        return NULL;
    }
    Py_ssize_t width = PyLong_AsSsize_t(args[1]);
    if (width == -1 && PyErr_Occurred()) return NULL;
    if (width < 1) {
        PyErr_SetString(PyExc_ValueError, "width must be at least 1");
        return NULL;
    }
    return one_line_cut(args[0], width);
}

/* count_newlines(text: str) -> int: text.count("\n"), eight bytes at a time for 1-byte text. */
static PyObject *count_newlines(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "count_newlines(text: str)");
        return NULL;
    }
    return PyLong_FromSsize_t(count_newlines_of(arg));
}

/* ---- checkpoints: the patch tree of the written paths (core/checkpoints.py `_patch`) --------
 *
 * A transliteration of `_patch`, `_tree` and `_entry`, for speed only (a test holds the two to
 * the same tree, key order included). `container[key]` is PyObject_GetItem, as in Python, and
 * KeyError, IndexError and TypeError mean the key is gone. */

static PyObject *op_set, *op_del, *op_into, *op_move_set, *op_move_into;

static PyObject *tree_of(PyObject *trie, PyObject *container);

/* the value at container[key], NULL with no error set when gone, NULL with an error otherwise */
static PyObject *item_or_gone(PyObject *container, PyObject *key) {
    PyObject *v;
    if (PyDict_CheckExact(container)) {
        v = PyDict_GetItemWithError(container, key);
        Py_XINCREF(v);
    } else {
        v = PyObject_GetItem(container, key);
    }
    if (!v && (PyErr_ExceptionMatches(PyExc_KeyError) || PyErr_ExceptionMatches(PyExc_IndexError)
               || PyErr_ExceptionMatches(PyExc_TypeError)))
        PyErr_Clear();
    return v;
}

/* `_entry(key, sub, container)`: a new list */
static PyObject *entry_of(PyObject *key, PyObject *sub, PyObject *container) {
    PyObject *value = item_or_gone(container, key);
    if (!value) {
        if (PyErr_Occurred()) return NULL;
        PyObject *e = PyList_New(1);
        if (!e) return NULL;
        Py_INCREF(op_del);
        PyList_SET_ITEM(e, 0, op_del);
        return e;
    }
    int is_list = PyList_Check(value);
    if (sub == Py_None || !(is_list || PyDict_Check(value))) {
        PyObject *e = PyList_New(2);
        if (!e) { Py_DECREF(value); return NULL; }
        Py_INCREF(op_set);
        PyList_SET_ITEM(e, 0, op_set);
        PyList_SET_ITEM(e, 1, value); /* steals */
        return e;
    }
    if (is_list) {
        Py_ssize_t n = PyList_GET_SIZE(value), first = n;
        while (first > 0) {
            PyObject *k = PyLong_FromSsize_t(first - 1);
            if (!k) { Py_DECREF(value); return NULL; }
            PyObject *s = PyDict_GetItemWithError(sub, k);
            Py_DECREF(k);
            if (!s) {
                if (PyErr_Occurred()) { Py_DECREF(value); return NULL; }
                break;
            }
            if (s != Py_None) {
                PyObject *it = PyList_GET_ITEM(value, first - 1);
                if (PyDict_Check(it) || PyList_Check(it)) break;
            }
            first--;
        }
        if (first < n) {
            PyObject *rest = PyDict_Copy(sub);
            if (!rest) { Py_DECREF(value); return NULL; }
            for (Py_ssize_t i = first; i < n; i++) {
                PyObject *k = PyLong_FromSsize_t(i);
                if (!k || PyDict_DelItem(rest, k) < 0) {
                    Py_XDECREF(k); Py_DECREF(rest); Py_DECREF(value); return NULL;
                }
                Py_DECREF(k);
            }
            PyObject *t = tree_of(rest, value);
            Py_DECREF(rest);
            PyObject *tail = t ? PyList_GetSlice(value, first, n) : NULL;
            PyObject *f = tail ? PyLong_FromSsize_t(first) : NULL;
            PyObject *e = f ? PyList_New(4) : NULL;
            if (!e) { Py_XDECREF(t); Py_XDECREF(tail); Py_XDECREF(f); Py_DECREF(value); return NULL; }
            Py_INCREF(op_into);
            PyList_SET_ITEM(e, 0, op_into);
            PyList_SET_ITEM(e, 1, t);
            PyList_SET_ITEM(e, 2, f);
            PyList_SET_ITEM(e, 3, tail);
            Py_DECREF(value);
            return e;
        }
    }
    PyObject *t = tree_of(sub, value);
    Py_DECREF(value);
    if (!t) return NULL;
    PyObject *e = PyList_New(2);
    if (!e) { Py_DECREF(t); return NULL; }
    Py_INCREF(op_into);
    PyList_SET_ITEM(e, 0, op_into);
    PyList_SET_ITEM(e, 1, t);
    return e;
}

/* `_tree(trie, container)`: a new dict */
static PyObject *tree_of(PyObject *trie, PyObject *container) {
    PyObject *tree = PyDict_New(), *moved = NULL, *key, *sub;
    if (!tree) return NULL;
    if (PyDict_CheckExact(container) && PyDict_GET_SIZE(trie)) {
        /* the written keys that end the dict, last first */
        PyObject *rev = PyObject_CallMethod(container, "__reversed__", NULL);
        if (!rev) goto fail;
        PyObject *k;
        while ((k = PyIter_Next(rev))) {
            int in = PyDict_Contains(trie, k);
            if (in <= 0) { Py_DECREF(k); if (in < 0) { Py_DECREF(rev); goto fail; } break; }
            if (!moved && !(moved = PyList_New(0))) { Py_DECREF(k); Py_DECREF(rev); goto fail; }
            int r = PyList_Append(moved, k);
            Py_DECREF(k);
            if (r < 0) { Py_DECREF(rev); goto fail; }
        }
        Py_DECREF(rev);
        if (PyErr_Occurred()) goto fail;
    }
    Py_ssize_t pos = 0;
    if (moved) {
        PyObject *last = PySet_New(moved);
        if (!last) goto fail;
        while (PyDict_Next(trie, &pos, &key, &sub)) {
            int in = PySet_Contains(last, key);
            if (in < 0) { Py_DECREF(last); goto fail; }
            if (in) continue;
            PyObject *e = entry_of(key, sub, container);
            if (!e || PyDict_SetItem(tree, key, e) < 0) { Py_XDECREF(e); Py_DECREF(last); goto fail; }
            Py_DECREF(e);
        }
        Py_DECREF(last);
        for (Py_ssize_t i = PyList_GET_SIZE(moved) - 1; i >= 0; i--) {
            key = PyList_GET_ITEM(moved, i);
            sub = PyDict_GetItemWithError(trie, key);
            if (!sub) { if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key); goto fail; }
            PyObject *e = entry_of(key, sub, container);
            if (!e) goto fail;
            PyObject *op = PyList_GET_ITEM(e, 0);
            PyObject *mv = op == op_set ? op_move_set : op_move_into;
            Py_INCREF(mv);
            PyList_SET_ITEM(e, 0, mv);
            Py_DECREF(op);
            if (PyDict_SetItem(tree, key, e) < 0) { Py_DECREF(e); goto fail; }
            Py_DECREF(e);
        }
        Py_DECREF(moved);
        return tree;
    }
    while (PyDict_Next(trie, &pos, &key, &sub)) {
        PyObject *e = entry_of(key, sub, container);
        if (!e || PyDict_SetItem(tree, key, e) < 0) { Py_XDECREF(e); goto fail; }
        Py_DECREF(e);
    }
    return tree;
fail:
    Py_XDECREF(moved);
    Py_DECREF(tree);
    return NULL;
}

/* patch_tree(state, touched) -> dict: `_patch` (touched: a list of tuples) */
static PyObject *patch_tree(PyObject *self, PyObject *args) {
    PyObject *state, *touched;
    if (!PyArg_ParseTuple(args, "OO!", &state, &PyList_Type, &touched)) return NULL;
    PyObject *trie = PyDict_New();
    if (!trie) return NULL;
    Py_ssize_t n_paths = PyList_GET_SIZE(touched);
    for (Py_ssize_t j = 0; j < n_paths; j++) {
        PyObject *path = PyList_GET_ITEM(touched, j);
        if (!PyTuple_Check(path)) {
            PyErr_SetString(PyExc_TypeError, "patch_tree: a path is not a tuple");
            goto fail;
        }
        Py_ssize_t n = PyTuple_GET_SIZE(path);
        if (n == 0) continue;
        PyObject *node = trie;
        Py_ssize_t d = 0;
        for (; d < n - 1; d++) {
            PyObject *key = PyTuple_GET_ITEM(path, d);
            PyObject *nxt = PyDict_GetItemWithError(node, key);
            if (nxt == Py_None) break; /* an ancestor is stored whole already */
            if (!nxt) {
                if (PyErr_Occurred()) goto fail;
                nxt = PyDict_New();
                if (!nxt) goto fail;
                int r = PyDict_SetItem(node, key, nxt);
                Py_DECREF(nxt); /* the trie holds it */
                if (r < 0) goto fail;
            }
            node = nxt;
        }
        if (d == n - 1 && PyDict_SetItem(node, PyTuple_GET_ITEM(path, n - 1), Py_None) < 0)
            goto fail;
    }
    PyObject *tree = tree_of(trie, state);
    Py_DECREF(trie);
    return tree;
fail:
    Py_DECREF(trie);
    return NULL;
}

/* ---- the reading loop of agent logs (core/analysis.py `_run_mapped`'s `line`) ----------------
 * For a projection with a direct path and a log numbered by lines (no id field): the common line
 * (an object the mapper maps, with an id in range) is handled here as `line` handles it, calling
 * the same Python callables in the same order; anything else returns to Python with a status
 * saying what to do. Per-event arrays of this call (type ids, lines, ids) are written to scratch
 * arrays the caller appends after each call, before anything that may read them. */

enum { M_LOADS, M_MAP, M_MAPPED, M_EVENT, M_GLUE, M_TYPE_ID, M_INTEGRITY, M_TS_BACK, M_SELF,
       M_ON_TREE, M_TRACKER, M_STATE, M_BEGIN, M_BOUNDARY_OF, M_BOUNDARIES, M_SEE, M_EFFECT_OF,
       M_KEY_FIELDS, M_EFFECTS, M_IS_SNAPSHOT, M_SNAPSHOTS, M_DIRECT, M_TIDS, M_LINES, M_SEQS,
       M_NO_LOG, M_RESERVED, M_FIXED_K, M_CP_BYTES, M_MIN_EVERY, M_ID_MIN, M_ID_MAX, M_CHECK,
       M_NATIVE, M_N };

/* status returned by run_mapped (besides ST_END, ST_BAIL, ST_CHECKPOINT) */
#define ST_UNMAPPABLE 3 /* the mapper raised on line `next` (extra: the exception) */
#define ST_OUT_OF_RANGE 4 /* line `next` has an id out of range (extra: the id) */
#define ST_SKIP 5  /* the last event is off the live branch (extra: the Event): skip it */
#define ST_FAILED 6 /* the projection raised on the last event (extra: the exception) */

static PyObject *m_seq, *m_type, *m_data, *m_ts, *m_line, *m_offset, *m_raw, *m_unterminated,
    *m_key, *m_cur, *m_undo, *m_prev_ts_raw, *m_prev_ts, *m_empty;

/* An Event as Event.make builds it (object.__new__ and its __dict__ filled in field order). */
static PyObject *make_event(PyObject *cls, PyObject *seq, PyObject *type, PyObject *data,
                            PyObject *ts, PyObject *line, PyObject *offset, PyObject *raw,
                            PyObject *key) {
    PyObject *ev = PyBaseObject_Type.tp_new((PyTypeObject *)cls, m_empty, NULL);
    if (ev == NULL) return NULL;
    PyObject *d = PyObject_GenericGetDict(ev, NULL);
    if (d == NULL || PyDict_SetItem(d, m_seq, seq) < 0 || PyDict_SetItem(d, m_type, type) < 0 ||
        PyDict_SetItem(d, m_data, data) < 0 || PyDict_SetItem(d, m_ts, ts) < 0 ||
        PyDict_SetItem(d, m_line, line) < 0 || PyDict_SetItem(d, m_offset, offset) < 0 ||
        PyDict_SetItem(d, m_raw, raw) < 0 || PyDict_SetItem(d, m_unterminated, Py_False) < 0 ||
        PyDict_SetItem(d, m_key, key) < 0) {
        Py_XDECREF(d);
        Py_DECREF(ev);
        return NULL;
    }
    Py_DECREF(d);
    return ev;
}

/* `ts` and the previous one are same-shaped UTC strings (the shortcut of the integrity check) */
static int same_shaped(PyObject *ts, PyObject *prev) {
    if (!PyUnicode_CheckExact(ts) || prev == NULL || !PyUnicode_CheckExact(prev)) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(ts);
    return n > 0 && n == PyUnicode_GET_LENGTH(prev) && PyUnicode_READ_CHAR(ts, n - 1) == 'Z' &&
           PyUnicode_READ_CHAR(prev, n - 1) == 'Z';
}

/* the five parts of a mapping (new references), from a Mapped or anything with the attributes */
static int parts_of(PyObject *m, PyObject *mapped_t, PyObject **out) {
    if (Py_TYPE(m) == (PyTypeObject *)mapped_t && PyTuple_GET_SIZE(m) == 5) {
        for (int x = 0; x < 5; x++) {
            out[x] = PyTuple_GET_ITEM(m, x);
            Py_INCREF(out[x]);
        }
        return 0;
    }
    PyObject *names[5] = {m_type, m_seq, m_ts, m_data, m_key};
    for (int x = 0; x < 5; x++) {
        out[x] = PyObject_GetAttr(m, names[x]);
        if (out[x] == NULL) {
            for (int y = 0; y < x; y++) Py_DECREF(out[y]);
            return -1;
        }
    }
    return 0;
}

/* the exception being raised, taken (normalized, with its traceback): what run_mapped hands
 * back to Python for a line that failed (None if there was none) */
static PyObject *take_exception(void) {
    PyObject *et, *exc, *tb;
    PyErr_Fetch(&et, &exc, &tb);
    PyErr_NormalizeException(&et, &exc, &tb);
    if (tb != NULL && exc != NULL) PyException_SetTraceback(exc, tb);
    Py_XDECREF(et);
    Py_XDECREF(tb);
    return exc != NULL ? exc : Py_NewRef(Py_None);
}

/* run_mapped(ctx, chunk, base, bounds, i, j, pos, last_cp, every, cp_offset)
 *   -> (status, next_line, n_events, extra)
 * Lines i..j-1 of the chunk become events pos, pos+1, ... as `line` makes them, until one needs
 * Python (status). The n events made are in the scratch arrays (type id, line, id). */
static PyObject *run_mapped(PyObject *self, PyObject *args) {
    PyObject *ctx_t, *bounds_o;
    Py_buffer chunk;
    Py_ssize_t base, i, j, pos, last_cp, every, cp_offset;
    if (!PyArg_ParseTuple(args, "O!y*nOnnnnnn", &PyTuple_Type, &ctx_t, &chunk, &base, &bounds_o,
                          &i, &j, &pos, &last_cp, &every, &cp_offset))
        return NULL;
    PyObject *result = NULL, *extra = NULL;
    Py_buffer bb = {0}, bt = {0}, bn = {0}, bs = {0};
    if (PyTuple_GET_SIZE(ctx_t) != M_N) {
        PyErr_SetString(PyExc_ValueError, "bad context");
        PyBuffer_Release(&chunk);
        return NULL;
    }
    PyObject **ctx = &PyTuple_GET_ITEM(ctx_t, 0);
    if (PyObject_GetBuffer(bounds_o, &bb, PyBUF_FORMAT) < 0) goto done;
    if (bb.itemsize != 8) {
        PyErr_SetString(PyExc_TypeError, "bounds must be an array of 8-byte integers");
        goto done;
    }
    if (get_buffer(ctx[M_TIDS], &bt, 4) < 0 || get_buffer(ctx[M_LINES], &bn, 4) < 0 ||
        get_buffer(ctx[M_SEQS], &bs, 8) < 0)
        goto done;
    Py_ssize_t nbounds = bb.len / 8;
    const uint64_t *bounds = bb.buf;
    if (bt.len / 4 < j - i || bn.len / 4 < j - i || bs.len / 8 < j - i || j + 1 > nbounds ||
        i < 0 || !PyDict_CheckExact(ctx[M_GLUE]) || !PyDict_CheckExact(ctx[M_BOUNDARIES]) ||
        !PyDict_CheckExact(ctx[M_EFFECTS]) || !PyList_CheckExact(ctx[M_SNAPSHOTS])) {
        PyErr_SetString(PyExc_ValueError, "bad arrays or containers for the range");
        goto done;
    }
    uint32_t *tids = bt.buf;
    int32_t *lines = bn.buf;
    int64_t *seqs = bs.buf;
    long long id_min = PyLong_AsLongLong(ctx[M_ID_MIN]), id_max = PyLong_AsLongLong(ctx[M_ID_MAX]);
    Py_ssize_t reserved = PyLong_AsSsize_t(ctx[M_RESERVED]);
    Py_ssize_t cp_bytes = PyLong_AsSsize_t(ctx[M_CP_BYTES]);
    Py_ssize_t min_every = PyLong_AsSsize_t(ctx[M_MIN_EVERY]);
    if (PyErr_Occurred()) goto done;
    int no_log = PyObject_IsTrue(ctx[M_NO_LOG]), fixed_k = PyObject_IsTrue(ctx[M_FIXED_K]);
    if (no_log < 0 || fixed_k < 0) goto done;
    PyObject *tracker = ctx[M_TRACKER], *an = ctx[M_SELF];
    const char *buf = chunk.buf;
    int status = ST_END;
    Py_ssize_t k = i, n = 0;
    for (; k < j; k++) {
        if (k == 0) { status = ST_BAIL; break; } /* the first line (a BOM): the general way */
        Py_ssize_t s = (Py_ssize_t)bounds[k] - base, e = (Py_ssize_t)bounds[k + 1] - 1 - base;
        if (s < 0 || e > chunk.len || e < s) {
            PyErr_SetString(PyExc_ValueError, "line outside the chunk");
            goto done;
        }
        Py_ssize_t len = e - s, plen = len;
        if (plen > 0 && buf[s + plen - 1] == '\r') plen--;
        if (plen == 0) { status = ST_BAIL; break; }
        /* parse */
        PyObject *raw = PyBytes_FromStringAndSize(buf + s, len);
        if (raw == NULL) goto done;
        PyObject *obj;
        if (plen == len) {
            obj = PyObject_CallOneArg(ctx[M_LOADS], raw);
        } else {
            PyObject *r = PyBytes_FromStringAndSize(buf + s, plen);
            obj = r == NULL ? NULL : PyObject_CallOneArg(ctx[M_LOADS], r);
            Py_XDECREF(r);
        }
        if (obj == NULL || !PyDict_CheckExact(obj)) { /* bad JSON, not an object: the general way */
            if (obj == NULL) {
                if (!PyErr_ExceptionMatches(PyExc_ValueError)) { Py_DECREF(raw); goto done; }
                PyErr_Clear();
            }
            Py_XDECREF(obj);
            Py_DECREF(raw);
            status = ST_BAIL;
            break;
        }
        /* map */
        PyObject *m = PyObject_CallOneArg(ctx[M_MAP], obj);
        Py_DECREF(obj);
        if (m == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_Exception)) { Py_DECREF(raw); goto done; }
            Py_DECREF(raw);
            extra = take_exception();
            status = ST_UNMAPPABLE;
            break;
        }
        PyObject *p[5]; /* type, seq, ts, data, key */
        int pr = parts_of(m, ctx[M_MAPPED], p);
        Py_DECREF(m);
        if (pr < 0) { Py_DECREF(raw); goto done; }
        PyObject *line_no = PyLong_FromSsize_t(k + 1), *seq;
        if (line_no == NULL) goto parts_fail;
        if (p[1] == Py_None) {
            seq = Py_NewRef(line_no);
        } else {
            int ok;
            if (PyLong_CheckExact(p[1])) {
                int of = 0;
                long long v = PyLong_AsLongLongAndOverflow(p[1], &of);
                if (v == -1 && PyErr_Occurred()) goto parts_fail;
                ok = !of && v >= id_min && v <= id_max;
            } else {
                int a = PyObject_RichCompareBool(ctx[M_ID_MIN], p[1], Py_LE);
                int b = a <= 0 ? a : PyObject_RichCompareBool(p[1], ctx[M_ID_MAX], Py_LE);
                if (a < 0 || b < 0) goto parts_fail;
                ok = a && b;
            }
            if (!ok) {
                extra = Py_NewRef(p[1]);
                for (int x = 0; x < 5; x++) Py_DECREF(p[x]);
                Py_DECREF(line_no);
                Py_DECREF(raw);
                status = ST_OUT_OF_RANGE;
                break;
            }
            seq = Py_NewRef(p[1]);
        }
        PyObject *offset = PyLong_FromUnsignedLongLong(bounds[k]);
        PyObject *ev = offset == NULL ? NULL
            : make_event(ctx[M_EVENT], seq, p[0], p[3], p[2], line_no, offset, raw, p[4]);
        Py_XDECREF(offset);
        Py_DECREF(raw);
        raw = NULL;
        if (ev == NULL) { Py_DECREF(seq); goto parts_fail; }
        /* _add, inline: this call's arrays; the type's glue */
        Py_ssize_t at = pos + n;
        PyObject *g = PyDict_GetItemWithError(ctx[M_GLUE], p[0]);
        if (g == NULL) {
            if (PyErr_Occurred()) goto ev_fail;
            PyObject *r = PyObject_CallOneArg(ctx[M_TYPE_ID], p[0]);
            if (r == NULL) goto ev_fail;
            Py_DECREF(r);
            g = PyDict_GetItemWithError(ctx[M_GLUE], p[0]);
            if (g == NULL) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "type without glue");
                goto ev_fail;
            }
        }
        if (!PyTuple_CheckExact(g) || PyTuple_GET_SIZE(g) != 3) {
            PyErr_SetString(PyExc_TypeError, "bad glue");
            goto ev_fail;
        }
        Py_INCREF(g);
        {
            unsigned long tid = PyLong_AsUnsignedLong(PyTuple_GET_ITEM(g, 0));
            long long sv = PyLong_AsLongLong(seq);
            if (PyErr_Occurred()) goto g_fail;
            tids[n] = (uint32_t)tid;
            lines[n] = (int32_t)k;
            seqs[n] = (int64_t)sv;
        }
        n++;
        /* the integrity check of a log without ids: its shortcut for same-shaped UTC strings */
        {
            PyObject *ts = p[2];
            PyObject *prev = PyObject_GetAttr(an, m_prev_ts_raw);
            if (prev == NULL) goto g_fail;
            int same = same_shaped(ts, prev);
            int r = 0;
            if (same) {
                int lt = PyUnicode_Compare(ts, prev) < 0;
                if (lt && PyErr_Occurred()) r = -1;
                else if (lt) {
                    PyObject *x = PyObject_CallFunctionObjArgs(ctx[M_TS_BACK], line_no, seq, ts,
                                                               NULL);
                    if (x == NULL) r = -1;
                    Py_XDECREF(x);
                }
                if (r == 0 && (PyObject_SetAttr(an, m_prev_ts_raw, ts) < 0 ||
                               PyObject_SetAttr(an, m_prev_ts, Py_None) < 0))
                    r = -1;
            } else {
                PyObject *x = PyObject_CallFunctionObjArgs(ctx[M_INTEGRITY], seq, line_no, ts,
                                                           NULL);
                if (x == NULL) r = -1;
                Py_XDECREF(x);
            }
            Py_DECREF(prev);
            if (r < 0) goto g_fail;
        }
        Py_DECREF(seq);
        seq = NULL;
        Py_DECREF(line_no);
        line_no = NULL;
        for (int x = 0; x < 5; x++) Py_CLEAR(p[x]);
        PyObject *pos_o = PyLong_FromSsize_t(at);
        if (pos_o == NULL) goto g_fail;
        /* the tree: an event off the live branch is skipped (by Python) */
        if (ctx[M_ON_TREE] != Py_None) {
            PyObject *off = PyObject_CallFunctionObjArgs(ctx[M_ON_TREE], pos_o, ev, NULL);
            int t = off == NULL ? -1 : PyObject_IsTrue(off);
            Py_XDECREF(off);
            if (t < 0) goto pos_fail;
            if (t) {
                Py_DECREF(pos_o);
                Py_DECREF(g);
                extra = ev;
                k++;
                status = ST_SKIP;
                break;
            }
        }
        /* _apply, inline, for a direct path: begin */
        if (at < reserved) {
            PyObject *u = no_log ? Py_NewRef(Py_None) : PyList_New(0);
            int r = u == NULL ? -1 : PyObject_SetAttr(tracker, m_cur, pos_o);
            if (r == 0) r = PyObject_SetAttr(tracker, m_undo, u);
            Py_XDECREF(u);
            if (r < 0) goto pos_fail;
        } else {
            PyObject *x = PyObject_CallOneArg(ctx[M_BEGIN], pos_o);
            if (x == NULL) goto pos_fail;
            Py_DECREF(x);
            if (no_log && PyObject_SetAttr(tracker, m_undo, Py_None) < 0) goto pos_fail;
        }
        {
            PyObject *b = PyObject_CallOneArg(ctx[M_BOUNDARY_OF], ev);
            if (b == NULL) goto pos_fail;
            int r = b == Py_None ? 0 : PyDict_SetItem(ctx[M_BOUNDARIES], pos_o, b);
            Py_DECREF(b);
            if (r < 0) goto pos_fail;
        }
        {
            int effect = PyObject_IsTrue(PyTuple_GET_ITEM(g, 1));
            int drift = PyObject_IsTrue(PyTuple_GET_ITEM(g, 2));
            if (effect < 0 || drift < 0) goto pos_fail;
            if (drift) {
                /* mode 2 (a known kind the format checks): the format's check first, here; `see`
                 * (which asks it again, and counts) only when it names something, rare */
                int see = 1;
                if (ctx[M_CHECK] != Py_None && PyLong_CheckExact(PyTuple_GET_ITEM(g, 2)) &&
                    PyLong_AsLong(PyTuple_GET_ITEM(g, 2)) == 2) {
                    PyObject *x = PyObject_CallOneArg(ctx[M_CHECK], ev);
                    if (x == NULL) {
                        if (!PyErr_ExceptionMatches(PyExc_Exception)) goto pos_fail;
                        PyErr_Clear(); /* as `see`: a check failing is not the log's fault */
                        see = 0;
                    } else {
                        see = PyUnicode_Check(x) && PyUnicode_GET_LENGTH(x) > 0;
                        Py_DECREF(x);
                    }
                }
                if (see) {
                    PyObject *x = PyObject_CallOneArg(ctx[M_SEE], ev);
                    if (x == NULL) goto pos_fail;
                    Py_DECREF(x);
                }
            }
            if (effect) {
                PyObject *eff = PyObject_CallFunctionObjArgs(ctx[M_EFFECT_OF], ev,
                                                             ctx[M_KEY_FIELDS], NULL);
                if (eff == NULL) goto pos_fail;
                int r = eff == Py_None ? 0 : PyDict_SetItem(ctx[M_EFFECTS], pos_o, eff);
                Py_DECREF(eff);
                if (r < 0) goto pos_fail;
            }
        }
        Py_DECREF(g);
        g = NULL;
        {
            int snap = 0;
            if (ctx[M_IS_SNAPSHOT] != Py_None) {
                PyObject *x = PyObject_CallOneArg(ctx[M_IS_SNAPSHOT], ev);
                snap = x == NULL ? -1 : PyObject_IsTrue(x);
                Py_XDECREF(x);
                if (snap < 0) goto pos_fail;
            }
            if (snap) {
                if (PyList_Append(ctx[M_SNAPSHOTS], pos_o) < 0 ||
                    PyObject_SetAttr(tracker, m_undo, Py_None) < 0)
                    goto pos_fail;
            } else {
                /* the projection's C half first (True: applied), when it has one; its
                 * apply_tracked (which asks the C half again, then goes on in Python) if not */
                PyObject *x = NULL;
                if (ctx[M_NATIVE] != Py_None) {
                    x = PyObject_CallFunctionObjArgs(ctx[M_NATIVE], tracker, ctx[M_STATE], ev, NULL);
                    if (x == NULL) goto direct_failed;
                    int done = x == Py_True ? 1 : PyObject_IsTrue(x);
                    Py_SETREF(x, done > 0 ? Py_NewRef(Py_None) : NULL);
                    if (done < 0) goto direct_failed;
                }
                if (x == NULL)
                    x = PyObject_CallFunctionObjArgs(ctx[M_DIRECT], tracker, ctx[M_STATE], ev, NULL);
                if (x == NULL) {
                direct_failed:
                    if (!PyErr_ExceptionMatches(PyExc_Exception)) goto pos_fail;
                    Py_DECREF(pos_o);
                    Py_DECREF(ev);
                    extra = take_exception();
                    k++;
                    status = ST_FAILED;
                    break;
                }
                Py_DECREF(x);
                if (PyObject_SetAttr(tracker, m_undo, Py_None) < 0) goto pos_fail; /* commit */
            }
        }
        Py_DECREF(pos_o);
        Py_DECREF(ev);
        {
            Py_ssize_t since = at - last_cp;
            if (since >= every || (!fixed_k && since >= min_every &&
                                   (Py_ssize_t)bounds[k] - cp_offset >= cp_bytes)) {
                k++;
                status = ST_CHECKPOINT;
                break;
            }
        }
        continue;
    pos_fail:
        Py_DECREF(pos_o);
    g_fail:
        Py_XDECREF(g);
    ev_fail:
        Py_DECREF(ev);
        Py_XDECREF(seq);
    parts_fail:
        Py_XDECREF(line_no);
        Py_XDECREF(raw);
        for (int x = 0; x < 5; x++) Py_XDECREF(p[x]);
        goto done;
    }
    result = Py_BuildValue("(innO)", status, k, n, extra != NULL ? extra : Py_None);
done:
    Py_XDECREF(extra);
    if (bb.obj) PyBuffer_Release(&bb);
    if (bt.obj) PyBuffer_Release(&bt);
    if (bn.obj) PyBuffer_Release(&bn);
    if (bs.obj) PyBuffer_Release(&bs);
    PyBuffer_Release(&chunk);
    return result;
}

static PyMethodDef methods[] = {
    {"first_marks", first_marks, METH_VARARGS, "Visible / overwritten / no-effect per event."},
    {"line_starts", line_starts, METH_VARARGS, "File offsets just past every newline of a chunk."},
    {"run", run, METH_VARARGS, "Analyse lines of a chunk the plain way until one is not plain."},
    {"run_mapped", run_mapped, METH_VARARGS,
     "The reading loop of agent logs (core/analysis.py _run_mapped) over lines of a chunk."},
    {"one_line_text", (PyCFunction)(void (*)(void))one_line_text, METH_FASTCALL,
     "A text as one line of at most `width` characters (core/formats/claude_code.py one_line)."},
    {"count_newlines", count_newlines, METH_O, "text.count('\\n')."},
    {"patch_tree", patch_tree, METH_VARARGS,
     "The patch tree of the written paths (core/checkpoints.py _patch)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "agentlog_tui.core._fastloop", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fastloop(void) {
    s_children = PyUnicode_InternFromString("children");
    s_owner = PyUnicode_InternFromString("owner");
    s_vis = PyUnicode_InternFromString("vis");
    s_tomb = PyUnicode_InternFromString("tomb");
    s_writers = PyUnicode_InternFromString("writers");
    s_append = PyUnicode_InternFromString("append");
    s_status = PyUnicode_InternFromString("status");
    s_value = PyUnicode_InternFromString("value");
    op_set = PyUnicode_InternFromString("=");
    op_del = PyUnicode_InternFromString("-");
    op_into = PyUnicode_InternFromString("/");
    op_move_set = PyUnicode_InternFromString("+");
    op_move_into = PyUnicode_InternFromString(">");
    m_seq = PyUnicode_InternFromString("seq");
    m_type = PyUnicode_InternFromString("type");
    m_data = PyUnicode_InternFromString("data");
    m_ts = PyUnicode_InternFromString("ts");
    m_line = PyUnicode_InternFromString("line");
    m_offset = PyUnicode_InternFromString("offset");
    m_raw = PyUnicode_InternFromString("raw");
    m_unterminated = PyUnicode_InternFromString("unterminated");
    m_key = PyUnicode_InternFromString("key");
    m_cur = PyUnicode_InternFromString("cur");
    m_undo = PyUnicode_InternFromString("_undo");
    m_prev_ts_raw = PyUnicode_InternFromString("_prev_ts_raw");
    m_prev_ts = PyUnicode_InternFromString("_prev_ts");
    m_empty = PyTuple_New(0);
    if (!m_seq || !m_type || !m_data || !m_ts || !m_line || !m_offset || !m_raw ||
        !m_unterminated || !m_key || !m_cur || !m_undo || !m_prev_ts_raw || !m_prev_ts || !m_empty)
        return NULL;
    if (!s_children || !s_owner || !s_vis || !s_tomb || !s_writers || !s_append || !s_status ||
        !s_value || !op_set || !op_del || !op_into || !op_move_set || !op_move_into)
        return NULL;
    return PyModule_Create(&module);
}
