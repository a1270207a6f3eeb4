/* The tree's per-record path in C: `Tree.add`, `_extend` and `_switch` of core/branches.py.
 *
 * A transliteration, for speed only (tests/core/test_tree_native.py holds it to the Python tree:
 * every verdict, `dirty`, the chain, settle() and branches()). `add` runs once per record of a
 * tree-shaped log (Claude Code, pi, Gemini CLI), called from the C reading loop.
 *
 * `TreeCore` keeps the per-node data in C arrays (parent, first position, flags, verdict, index
 * in the live chain) and the live chain itself (nodes, turns so far); the Python `Tree` of
 * core/branches.py subclasses it and keeps its rarely-taken methods (settle, _compute,
 * branches), which read the same attribute names as in pure Python: `parent`, `first_pos`
 * (array('i')), `flags`, `node_off` (bytearray), `chain`, `chain_turns` (lists), `chain_at`
 * (a dict, in chain order) are copies made when read; `parent` and `node_off` can be set (copied
 * in). `node_of`, `parent_id`, `extra` (dicts), `off` (a set), `linker`, `forced` are the very
 * Python objects; `leaf`, `dirty`, `n_linked`, `forced_upto` plain members.
 *
 * Built as an optional extension; AGENTLOG_PURE_PYTHON=1 leaves it out (core/native.py).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include "structmember.h"

static PyObject *array_type; /* array.array */

typedef struct {
    PyObject_HEAD
    PyObject *linker, *forced;
    Py_ssize_t forced_upto;
    PyObject *node_of;   /* dict: id -> node (int) */
    PyObject *parent_id; /* dict: node -> its parent's id, when not (yet) read */
    PyObject *extra;     /* dict: node -> list of its later records' positions */
    PyObject *off;       /* set: positions applied as off the live branch */
    Py_ssize_t n, cap;   /* nodes, room for */
    int *parent;         /* per node: parent node, -1 none or not (yet) known */
    int *first_pos;      /* per node: its first record's position */
    int *at;             /* per node: index in the chain, -1 not on it (chain_at) */
    unsigned char *flags;    /* per node: 1 leaf, 2 turn */
    unsigned char *node_off; /* per node: 1 when off the live branch (as applied) */
    int *chain, *turns;  /* the live branch, root first; turns in chain[:i+1] */
    Py_ssize_t clen, ccap;
    int *path;           /* _switch's scratch */
    Py_ssize_t pcap;
    Py_ssize_t leaf;
    char dirty;
    Py_ssize_t n_linked;
} TreeCore;

/* ---- storage ----------------------------------------------------------------------------------- */

static int grow_nodes(TreeCore *t, Py_ssize_t need) {
    if (need <= t->cap) return 0;
    Py_ssize_t cap = t->cap ? t->cap : 64;
    while (cap < need) cap *= 2;
    if (cap > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "tree: too many nodes");
        return -1;
    }
    int *parent = PyMem_Realloc(t->parent, cap * sizeof(int));
    if (parent) t->parent = parent;
    int *first_pos = parent ? PyMem_Realloc(t->first_pos, cap * sizeof(int)) : NULL;
    if (first_pos) t->first_pos = first_pos;
    int *at = first_pos ? PyMem_Realloc(t->at, cap * sizeof(int)) : NULL;
    if (at) t->at = at;
    unsigned char *flags = at ? PyMem_Realloc(t->flags, cap) : NULL;
    if (flags) t->flags = flags;
    unsigned char *node_off = flags ? PyMem_Realloc(t->node_off, cap) : NULL;
    if (node_off == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->node_off = node_off;
    t->cap = cap;
    return 0;
}

static int grow_chain(TreeCore *t, Py_ssize_t need) {
    if (need <= t->ccap) return 0;
    Py_ssize_t cap = t->ccap ? t->ccap : 64;
    while (cap < need) cap *= 2;
    int *chain = PyMem_Realloc(t->chain, cap * sizeof(int));
    if (chain) t->chain = chain;
    int *turns = chain ? PyMem_Realloc(t->turns, cap * sizeof(int)) : NULL;
    if (turns == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->turns = turns;
    t->ccap = cap;
    return 0;
}

/* chain.append(node), as _extend does for one node */
static inline int extend1(TreeCore *t, Py_ssize_t node) {
    if (t->clen == t->ccap && grow_chain(t, t->clen + 1) < 0) return -1;
    Py_ssize_t c = t->clen;
    t->at[node] = (int)c;
    t->turns[c] = (c ? t->turns[c - 1] : 0) + ((t->flags[node] & 2) ? 1 : 0);
    t->chain[c] = (int)node;
    t->clen = c + 1;
    t->leaf = node;
    return 0;
}

static void truncate_chain(TreeCore *t, Py_ssize_t cut) {
    for (Py_ssize_t i = cut; i < t->clen; i++) t->at[t->chain[i]] = -1;
    if (cut < t->clen) t->clen = cut;
}

/* `_switch(node, p)`: a new leaf whose parent is not the leaf */
static int do_switch(TreeCore *t, Py_ssize_t node, Py_ssize_t p) {
    Py_ssize_t n = p, seen = 0, plen = 0;
    while (n >= 0 && t->at[n] < 0) {
        if (t->node_off[n] || seen > t->n) {
            t->dirty = 1;
            return 0;
        }
        if (plen == t->pcap) {
            Py_ssize_t cap = t->pcap ? t->pcap * 2 : 64;
            int *path = PyMem_Realloc(t->path, cap * sizeof(int));
            if (path == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            t->path = path;
            t->pcap = cap;
        }
        t->path[plen++] = (int)n;
        n = t->parent[n];
        seen++;
    }
    if (n < 0 && t->clen) {
        t->dirty = 1; /* a new root (or a parent not in the file): settle it whole */
        return 0;
    }
    Py_ssize_t cut = n >= 0 ? t->at[n] + 1 : 0;
    long below = t->clen ? t->turns[t->clen - 1] - (cut ? t->turns[cut - 1] : 0) : 0;
    if (below || (cut < t->clen && PySet_GET_SIZE(t->off) > 0)) {
        t->dirty = 1;
        return 0;
    }
    truncate_chain(t, cut);
    for (Py_ssize_t i = plen - 1; i >= 0; i--)
        if (extend1(t, t->path[i]) < 0) return -1;
    return extend1(t, node);
}

/* ---- the type ---------------------------------------------------------------------------------- */

static int reset(TreeCore *t, PyObject *linker, PyObject *forced, Py_ssize_t forced_upto) {
    PyObject *node_of = PyDict_New(), *parent_id = PyDict_New(), *extra = PyDict_New();
    PyObject *off = PySet_New(NULL);
    if (!node_of || !parent_id || !extra || !off) {
        Py_XDECREF(node_of);
        Py_XDECREF(parent_id);
        Py_XDECREF(extra);
        Py_XDECREF(off);
        return -1;
    }
    Py_INCREF(linker);
    Py_INCREF(forced);
    Py_XSETREF(t->linker, linker);
    Py_XSETREF(t->forced, forced);
    Py_XSETREF(t->node_of, node_of);
    Py_XSETREF(t->parent_id, parent_id);
    Py_XSETREF(t->extra, extra);
    Py_XSETREF(t->off, off);
    t->forced_upto = forced_upto;
    t->n = 0;
    t->clen = 0;
    t->leaf = -1;
    t->dirty = 0;
    t->n_linked = 0;
    return 0;
}

static int tree_init(TreeCore *t, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"linker", "forced", "forced_upto", NULL};
    PyObject *linker, *forced = NULL;
    Py_ssize_t forced_upto = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|On:Tree", kwlist, &linker, &forced, &forced_upto))
        return -1;
    if (forced == NULL) {
        forced = PyFrozenSet_New(NULL);
        if (forced == NULL) return -1;
    } else {
        Py_INCREF(forced);
    }
    int r = reset(t, linker, forced, forced_upto);
    Py_DECREF(forced);
    return r;
}

static int tree_traverse(TreeCore *t, visitproc visit, void *arg) {
    Py_VISIT(t->linker);
    Py_VISIT(t->forced);
    Py_VISIT(t->node_of);
    Py_VISIT(t->parent_id);
    Py_VISIT(t->extra);
    Py_VISIT(t->off);
    return 0;
}

static int tree_clear(TreeCore *t) {
    Py_CLEAR(t->linker);
    Py_CLEAR(t->forced);
    Py_CLEAR(t->node_of);
    Py_CLEAR(t->parent_id);
    Py_CLEAR(t->extra);
    Py_CLEAR(t->off);
    return 0;
}

static void tree_dealloc(TreeCore *t) {
    PyObject_GC_UnTrack(t);
    tree_clear(t);
    PyMem_Free(t->parent);
    PyMem_Free(t->first_pos);
    PyMem_Free(t->at);
    PyMem_Free(t->flags);
    PyMem_Free(t->node_off);
    PyMem_Free(t->chain);
    PyMem_Free(t->turns);
    PyMem_Free(t->path);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static int ready(TreeCore *t) {
    if (t->node_of == NULL || t->off == NULL || t->extra == NULL || t->parent_id == NULL ||
        t->linker == NULL || t->forced == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Tree: not initialised");
        return 0;
    }
    return 1;
}

/* a node index read from node_of */
static Py_ssize_t node_index(TreeCore *t, PyObject *v) {
    Py_ssize_t node = PyLong_AsSsize_t(v);
    if (node == -1 && PyErr_Occurred()) return -1;
    if (node < 0 || node >= t->n) {
        PyErr_SetString(PyExc_RuntimeError, "Tree: node_of names no node");
        return -1;
    }
    return node;
}

/* add(pos, event) -> bool: take the event at `pos` in; True when it is off the live branch */
static PyObject *tree_add(TreeCore *t, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "add() takes 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (!ready(t)) return NULL;
    PyObject *pos_o = args[0];
    Py_ssize_t pos = PyLong_AsSsize_t(pos_o);
    if (pos == -1 && PyErr_Occurred()) return NULL;
    PyObject *link = PyObject_CallOneArg(t->linker, args[1]);
    if (link == NULL) return NULL;
    if (link == Py_None) {
        Py_DECREF(link);
        Py_RETURN_FALSE;
    }
    PyObject *result = NULL, *seq = NULL;
    t->n_linked++;
    if (PyTuple_Check(link) && PyTuple_GET_SIZE(link) == 4) {
        seq = link;
        Py_INCREF(seq);
    } else {
        seq = PySequence_Tuple(link);
        if (seq == NULL) goto done;
        if (PyTuple_GET_SIZE(seq) != 4) {
            if (PyTuple_GET_SIZE(seq) < 4)
                PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected 4, got %zd)",
                             PyTuple_GET_SIZE(seq));
            else
                PyErr_SetString(PyExc_ValueError, "too many values to unpack (expected 4)");
            goto done;
        }
    }
    PyObject *lid = PyTuple_GET_ITEM(seq, 0), *parent = PyTuple_GET_ITEM(seq, 1);
    PyObject *leaf_o = PyTuple_GET_ITEM(seq, 2), *turn_o = PyTuple_GET_ITEM(seq, 3);
    PyObject *node_o = PyDict_GetItemWithError(t->node_of, lid);
    Py_ssize_t node;
    int off;
    if (node_o == NULL) { /* a new node (nearly every record) */
        if (PyErr_Occurred()) goto done;
        int leaf = PyObject_IsTrue(leaf_o);
        if (leaf < 0) goto done;
        int turn = PyObject_IsTrue(turn_o);
        if (turn < 0) goto done;
        if (pos < INT_MIN || pos > INT_MAX) {
            PyErr_SetString(PyExc_OverflowError, "signed integer is greater than maximum");
            goto done;
        }
        if (t->n == t->cap && grow_nodes(t, t->n + 1) < 0) goto done;
        node = t->n;
        PyObject *key = PyLong_FromSsize_t(node);
        if (key == NULL) goto done;
        /* the parent is looked up before the node is named: a record naming itself as its
         * parent (a damaged log) is a root, not its own child */
        Py_ssize_t p = -1;
        if (parent != Py_None) {
            PyObject *po = PyDict_GetItemWithError(t->node_of, parent);
            if (po != NULL) {
                p = node_index(t, po);
                if (p < 0) {
                    Py_DECREF(key);
                    goto done;
                }
            } else if (PyErr_Occurred() || PyDict_SetItem(t->parent_id, key, parent) < 0) {
                Py_DECREF(key); /* written later, or never: settling looks again */
                goto done;
            }
        }
        int r = PyDict_SetItem(t->node_of, lid, key);
        Py_DECREF(key);
        if (r < 0) goto done;
        t->parent[node] = (int)p;
        t->first_pos[node] = (int)pos;
        t->flags[node] = (unsigned char)(((leaf || turn) ? 1 : 0) | (turn ? 2 : 0));
        t->at[node] = -1;
        off = p >= 0 && t->node_off[p] != 0;
        t->node_off[node] = off ? 1 : 0;
        t->n = node + 1;
        if ((leaf || turn) && !t->dirty) {
            if (p >= 0 && p == t->leaf) { /* the live branch goes on */
                if (extend1(t, node) < 0) goto done;
                off = 0;
            } else {
                if (do_switch(t, node, p) < 0) goto done;
                off = t->node_off[node] != 0;
            }
        }
        if (pos > t->forced_upto) { /* (the common case: no verdict forced, nothing off) */
            if (off && PySet_Add(t->off, pos_o) < 0) goto done;
            result = off ? Py_True : Py_False;
            Py_INCREF(result);
            goto done;
        }
    } else { /* another record of a known node: it shares the node's fate */
        node = node_index(t, node_o);
        if (node < 0) goto done;
        Py_INCREF(node_o); /* (kept alive while used as a key) */
        PyObject *lst = PyDict_GetItemWithError(t->extra, node_o);
        if (lst == NULL) {
            if (PyErr_Occurred()) {
                Py_DECREF(node_o);
                goto done;
            }
            lst = PyList_New(0);
            int r = lst == NULL ? -1 : PyDict_SetItem(t->extra, node_o, lst);
            Py_XDECREF(lst); /* (the dict holds it) */
            if (r < 0) {
                Py_DECREF(node_o);
                goto done;
            }
        }
        Py_DECREF(node_o);
        if (PyList_Check(lst) ? PyList_Append(lst, pos_o) < 0 : 1) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "Tree.extra: not a list");
            goto done;
        }
        off = t->node_off[node] != 0;
    }
    if (pos <= t->forced_upto) { /* an earlier pass over these lines settled it */
        int c = PySequence_Contains(t->forced, pos_o);
        if (c < 0) goto done;
        off = c;
        t->node_off[node] = off ? 1 : 0;
    }
    if (off && PySet_Add(t->off, pos_o) < 0) goto done;
    result = off ? Py_True : Py_False;
    Py_INCREF(result);
done:
    Py_XDECREF(seq);
    Py_DECREF(link);
    return result;
}

/* a node index given from Python (_extend, _switch) */
static Py_ssize_t arg_node(TreeCore *t, PyObject *o, int allow_none) {
    Py_ssize_t n = PyLong_AsSsize_t(o);
    if (n == -1 && PyErr_Occurred()) return -2;
    if (n >= t->n || n < (allow_none ? -1 : 0)) {
        PyErr_SetString(PyExc_IndexError, "Tree: no such node");
        return -2;
    }
    return n;
}

/* _extend(nodes): append the nodes to the chain; the leaf is the last */
static PyObject *tree_extend(TreeCore *t, PyObject *nodes) {
    PyObject *seq = PySequence_Fast(nodes, "_extend: not a sequence");
    if (seq == NULL) return NULL;
    Py_ssize_t k = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < k; i++) {
        Py_ssize_t n = arg_node(t, PySequence_Fast_GET_ITEM(seq, i), 0);
        if (n < 0 || extend1(t, n) < 0) {
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);
    if (t->clen == 0) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *tree_switch(TreeCore *t, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "_switch(node, p)");
        return NULL;
    }
    if (!ready(t)) return NULL;
    Py_ssize_t node = arg_node(t, args[0], 0), p;
    if (node < 0 || (p = arg_node(t, args[1], 1)) < -1) return NULL;
    if (do_switch(t, node, p) < 0) return NULL;
    Py_RETURN_NONE;
}

/* _restart(chain): the chain anew (settle): `chain`, or none (leaf -1) */
static PyObject *tree_restart(TreeCore *t, PyObject *nodes) {
    PyObject *seq = PySequence_Fast(nodes, "_restart: not a sequence");
    if (seq == NULL) return NULL;
    truncate_chain(t, 0);
    PyObject *r;
    if (PySequence_Fast_GET_SIZE(seq)) {
        r = tree_extend(t, seq);
    } else {
        t->leaf = -1;
        r = Py_NewRef(Py_None);
    }
    Py_DECREF(seq);
    return r;
}

/* ---- the per-node data as Python reads it ------------------------------------------------------- */

static PyObject *int_array(const int *a, Py_ssize_t n) {
    /* (y# of NULL would be None: no nodes yet) */
    return PyObject_CallFunction(array_type, "sy#", "i", a ? (const char *)a : "", n * (Py_ssize_t)sizeof(int));
}

static PyObject *get_parent(TreeCore *t, void *c) { return int_array(t->parent, t->n); }
static PyObject *get_first_pos(TreeCore *t, void *c) { return int_array(t->first_pos, t->n); }
static PyObject *get_flags(TreeCore *t, void *c) {
    return PyByteArray_FromStringAndSize(t->n ? (const char *)t->flags : "", t->n);
}
static PyObject *get_node_off(TreeCore *t, void *c) {
    return PyByteArray_FromStringAndSize(t->n ? (const char *)t->node_off : "", t->n);
}

static PyObject *int_list(const int *a, Py_ssize_t n) {
    PyObject *out = PyList_New(n);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong(a[i]);
        if (v == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, v);
    }
    return out;
}

static PyObject *get_chain(TreeCore *t, void *c) { return int_list(t->chain, t->clen); }
static PyObject *get_chain_turns(TreeCore *t, void *c) { return int_list(t->turns, t->clen); }
static PyObject *get_chain_at(TreeCore *t, void *c) {
    PyObject *out = PyDict_New();
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < t->clen; i++) {
        PyObject *k = PyLong_FromLong(t->chain[i]), *v = PyLong_FromSsize_t(i);
        int r = k && v ? PyDict_SetItem(out, k, v) : -1;
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (r < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/* a buffer of n items of `size` bytes, copied into `dst`; `check` for each int item */
static int set_buffer(TreeCore *t, PyObject *value, void *dst, Py_ssize_t size, const char *name,
                      int ints) {
    if (value == NULL) {
        PyErr_Format(PyExc_AttributeError, "cannot delete Tree.%s", name);
        return -1;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(value, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) return -1;
    int r = -1;
    const char *f = view.format ? view.format : "B";
    if (view.itemsize != size || (ints ? strcmp(f, "i") != 0 : strcmp(f, "B") != 0)) {
        PyErr_Format(PyExc_TypeError, "Tree.%s: %s expected", name, ints ? "array('i')" : "bytes");
        goto out;
    }
    if (view.len / size != t->n) {
        PyErr_Format(PyExc_ValueError, "Tree.%s: %zd items for %zd nodes", name, view.len / size, t->n);
        goto out;
    }
    if (ints) {
        const int *src = view.buf;
        for (Py_ssize_t i = 0; i < t->n; i++)
            if (src[i] < -1 || src[i] >= t->n) {
                PyErr_Format(PyExc_ValueError, "Tree.%s: no node %d", name, src[i]);
                goto out;
            }
    }
    if (view.len) memcpy(dst, view.buf, view.len);
    r = 0;
out:
    PyBuffer_Release(&view);
    return r;
}

static int set_parent(TreeCore *t, PyObject *v, void *c) {
    return set_buffer(t, v, t->parent, sizeof(int), "parent", 1);
}
static int set_node_off(TreeCore *t, PyObject *v, void *c) {
    return set_buffer(t, v, t->node_off, 1, "node_off", 0);
}

static PyGetSetDef tree_getset[] = {
    {"parent", (getter)get_parent, (setter)set_parent,
     "Per node: its parent node, -1 none or not (yet) known (a copy, array('i'))."},
    {"first_pos", (getter)get_first_pos, NULL, "Per node: its first record's position (a copy)."},
    {"flags", (getter)get_flags, NULL, "Per node: 1 leaf, 2 turn (a copy)."},
    {"node_off", (getter)get_node_off, (setter)set_node_off,
     "Per node: 1 when off the live branch, as applied (a copy)."},
    {"chain", (getter)get_chain, NULL, "The live branch, root first (a copy)."},
    {"chain_at", (getter)get_chain_at, NULL, "Node -> index in chain (a copy)."},
    {"chain_turns", (getter)get_chain_turns, NULL, "Turns in chain[:i+1] (a copy)."},
    {NULL},
};

static PyMemberDef tree_members[] = {
    {"linker", T_OBJECT, offsetof(TreeCore, linker), READONLY, NULL},
    {"forced", T_OBJECT, offsetof(TreeCore, forced), READONLY, NULL},
    {"forced_upto", T_PYSSIZET, offsetof(TreeCore, forced_upto), READONLY, NULL},
    {"node_of", T_OBJECT, offsetof(TreeCore, node_of), READONLY, NULL},
    {"parent_id", T_OBJECT, offsetof(TreeCore, parent_id), READONLY, NULL},
    {"extra", T_OBJECT, offsetof(TreeCore, extra), READONLY, NULL},
    {"off", T_OBJECT, offsetof(TreeCore, off), READONLY, NULL},
    {"leaf", T_PYSSIZET, offsetof(TreeCore, leaf), READONLY, NULL},
    {"dirty", T_BOOL, offsetof(TreeCore, dirty), 0, NULL},
    {"n_linked", T_PYSSIZET, offsetof(TreeCore, n_linked), READONLY, NULL},
    {NULL},
};

static PyMethodDef tree_methods[] = {
    {"add", (PyCFunction)(void (*)(void))tree_add, METH_FASTCALL,
     "add(pos, event) -> True when the event is off the live branch (not to be applied)."},
    {"_extend", (PyCFunction)tree_extend, METH_O, "_extend(nodes): the chain goes on."},
    {"_switch", (PyCFunction)(void (*)(void))tree_switch, METH_FASTCALL,
     "_switch(node, p): a new leaf whose parent is not the leaf."},
    {"_restart", (PyCFunction)tree_restart, METH_O, "_restart(chain): the chain anew."},
    {NULL},
};

static PyTypeObject TreeCoreType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "agentlog_tui.core._tree.TreeCore",
    .tp_basicsize = sizeof(TreeCore),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The tree's per-record path (core/branches.py Tree.add) and per-node data.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)tree_init,
    .tp_dealloc = (destructor)tree_dealloc,
    .tp_traverse = (traverseproc)tree_traverse,
    .tp_clear = (inquiry)tree_clear,
    .tp_methods = tree_methods,
    .tp_members = tree_members,
    .tp_getset = tree_getset,
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "agentlog_tui.core._tree", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__tree(void) {
    if (sizeof(int) != 4) {
        PyErr_SetString(PyExc_ImportError, "core._tree: needs a 4-byte int");
        return NULL;
    }
    PyObject *arr = PyImport_ImportModule("array");
    if (arr == NULL) return NULL;
    array_type = PyObject_GetAttrString(arr, "array");
    Py_DECREF(arr);
    if (array_type == NULL) return NULL;
    if (PyType_Ready(&TreeCoreType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&TreeCoreType);
    if (PyModule_AddObject(m, "TreeCore", (PyObject *)&TreeCoreType) < 0) {
        Py_DECREF(&TreeCoreType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
