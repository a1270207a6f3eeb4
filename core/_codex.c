/* The Codex projection's direct path for the common rollout lines, in C.
 *
 * `apply(t, state, payload, type)` does what core/formats/codex.py `CodexProjection.apply_tracked`
 * does for a response item (message, reasoning, function / custom tool / local shell call, their
 * outputs, any other item but a ghost snapshot), for the event messages it handles itself
 * (token_count, task_started, user_message, task_complete, turn_aborted and the echoes that
 * change nothing) and for turn_context: the same summaries (`_item`, `call_summary`,
 * `output_summary`, `one_line`, `block_text`, `count_lines`, transliterated), then the same
 * tracker calls in the same order with the same arguments (the functions core/tracked.py
 * exports, given to `setup`: the C write path of core/_tracker.c when it is built, called
 * through its C entry points, core/_tracker.h, one context per line). It returns
 * True when it applied the line, False when the line is for the Python path (a ghost snapshot,
 * session_meta, compacted, thread_rolled_back, anything unexpected) -- decided before anything
 * is written: every summary is made first, and whatever is odd on the way (a dict, list or str
 * subclass, a parser or `one_line` that raises) gives up the whole line to Python, which then
 * does what it always did (raising where it raises).
 *
 * `apply_tracked(projection, t, state, event)` is the method itself (`apply`, else the Python
 * method), and the mapper's `map(mapper, obj)` (an enveloped line: type, timestamp, payload) and
 * `boundary_of(mapper, event)` (the last branch of CodexMapper.boundary: the calls a line opens
 * and answers, a turn's end, the turn's activity and its timestamps) are the C ones too, each
 * calling its Python method for everything else, decided before it changes anything. The three
 * are set on the classes through `instancemethod`. `set_enabled(False)` sends every call to
 * Python (tests compare the two).
 *
 * Values that are not a plain str go through the Python `one_line` (json.dumps of a value); a
 * JSON text is parsed by the same calls as `_json` (orjson.loads, then json.loads for what orjson
 * refuses). A property test (tests/formats/test_codex_native.py) holds this to the Python path:
 * the summaries, the state (key order and types) and the tracker's whole record.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include "_one_line.h" /* one_line_cut, count_newlines_of: shared with core/_fastloop.c */
#define TRK_CONSUMER
#include "_tracker.h"   /* the tracker's C entry points */

/* ---- what setup() was given ------------------------------------------------------------------- */

enum { F_WRITE, F_STEP_INTO, F_APPEND_TO, F_READ_KEY, F_DIFFERS, F_ONE_LINE, F_ORJSON_LOADS,
       F_ORJSON_ERROR, F_JSON_LOADS, F_MAPPER_TYPE, F_MAPPED_TYPE, F_MAP_PY, F_BOUNDARY_OF_PY,
       F_PROJECTION_TYPE, F_APPLY_TRACKED_PY, F_N };

static const char *setup_names[F_N] = {
    "write",        "step_into",    "append_to",  "read_key",    "differs",
    "one_line",     "orjson_loads", "orjson_error", "json_loads", "mapper_type",
    "mapped_type",  "map_py",       "boundary_of_py", "projection_type", "apply_tracked_py"};

static PyObject *F[F_N];
static int ready = 0;   /* setup() succeeded */
static int enabled = 1; /* set_enabled() */

static PyObject *Bail; /* raised inside: the line goes to the Python path */

/* interned strings */
static PyObject *k_history, *k_calls, *k_turn, *k_tokens, *k_rate_limits, *k_turn_context, *k_root;
static PyObject *k_role, *k_text, *k_content, *k_reasoning, *k_summary, *k_encrypted_content;
static PyObject *k_call, *k_call_id, *k_id, *k_output, *k_metadata, *k_exit_code, *k_name, *k_type;
static PyObject *k_status, *k_arguments, *k_input, *k_action, *k_command, *k_cmd, *k_prompt;
static PyObject *k_message, *k_last_agent_message, *k_info, *k_total_token_usage;
static PyObject *k_last_token_usage, *k_model_context_window, *k_total, *k_last, *k_context_window;
static PyObject *k_fields[6];
static PyObject *s_empty, *s_newline, *s_space, *s_encrypted, *s_call, *s_image, *s_image_mark;
static PyObject *s_running, *s_done, *s_complete, *s_aborted;
static PyObject *s_message, *s_reasoning, *s_function_call, *s_custom_tool_call;
static PyObject *s_local_shell_call, *s_function_call_output, *s_custom_tool_call_output;
static PyObject *s_ghost_snapshot, *s_response_item_dot, *s_event_msg_dot;
static PyObject *k_payload, *k_timestamp, *k_seq, *k_data, *k_ts, *k_last_, *k_decided_;
static PyObject *k_pending_, *k_activity_, *k_activity_raw_, *k_turn_open_, *k_settle_;
static PyObject *s_response_item, *s_event_msg, *s_dot;
static PyObject *type_cache[2]; /* the joined event types made so far, by payload type */
static PyObject *w_90, *w_100, *w_200;
static PyObject *t_empty, *t_history, *t_calls, *t_turn;

static int bail(void) {
    PyErr_SetNone(Bail);
    return -1;
}

/* ---- the types Python's isinstance() checks see -------------------------------------------------
 * 1: the plain type; 0: another type; -1 (Bail): a subclass, whose methods Python would call. */

static int is_dict(PyObject *o) {
    if (o == NULL) return 0;
    if (PyDict_CheckExact(o)) return 1;
    return PyDict_Check(o) ? bail() : 0;
}

static int is_list(PyObject *o) {
    if (o == NULL) return 0;
    if (PyList_CheckExact(o)) return 1;
    return PyList_Check(o) ? bail() : 0;
}

static int is_str(PyObject *o) {
    if (o == NULL) return 0;
    if (PyUnicode_CheckExact(o)) return 1;
    return PyUnicode_Check(o) ? bail() : 0;
}

/* `o == "<ascii>"` for a JSON value: 1, 0, or -1 (Bail for a str subclass) */
static int eq_ascii(PyObject *o, const char *s) {
    int r = is_str(o);
    if (r <= 0) return r;
    return PyUnicode_CompareWithASCIIString(o, s) == 0;
}

/* d.get(key) of a plain dict: borrowed, NULL when absent (an error set only on failure) */
static inline PyObject *dget(PyObject *d, PyObject *key) { return PyDict_GetItemWithError(d, key); }

#define GET(v, d, key)                                  \
    do {                                                \
        (v) = dget((d), (key));                         \
        if ((v) == NULL && PyErr_Occurred()) goto fail; \
    } while (0)

static inline PyObject *newref(PyObject *o) {
    Py_INCREF(o);
    return o;
}

/* ---- one_line, block_text, count_lines (core/formats/claude_code.py) ---------------------------- */

/* one_line(value, width): a plain str here, None is "", anything else the Python one_line */
static PyObject *one_line(PyObject *v, PyObject *width_o, Py_ssize_t width) {
    if (PyUnicode_CheckExact(v)) return one_line_cut(v, width);
    if (v == Py_None) return newref(s_empty);
    PyObject *args[2] = {v, width_o};
    PyObject *r = PyObject_Vectorcall(F[F_ONE_LINE], args, 2, NULL);
    if (r != NULL && !PyUnicode_CheckExact(r)) {
        Py_DECREF(r);
        bail();
        return NULL;
    }
    return r;
}

/* block_text(content): a str, or the text blocks of a list joined by newlines, else "" */
static PyObject *block_text(PyObject *content) {
    int r = is_str(content);
    if (r < 0) return NULL;
    if (r) return newref(content);
    r = is_list(content);
    if (r < 0) return NULL;
    if (!r) return newref(s_empty);
    PyObject *parts = PyList_New(0);
    if (parts == NULL) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(content); i++) {
        PyObject *b = PyList_GET_ITEM(content, i), *add = NULL;
        int d = is_dict(b);
        if (d < 0) goto fail;
        if (d) {
            PyObject *text, *type;
            GET(text, b, k_text);
            int s = is_str(text);
            if (s < 0) goto fail;
            if (s) {
                add = text;
            } else {
                GET(type, b, k_type);
                int e = type != NULL ? eq_ascii(type, "image") : 0;
                if (e < 0) goto fail;
                if (e) add = s_image_mark;
            }
        } else {
            int s = is_str(b);
            if (s < 0) goto fail;
            if (s) add = b;
        }
        if (add != NULL && PyList_Append(parts, add) < 0) goto fail;
    }
    PyObject *out = PyUnicode_Join(s_newline, parts);
    Py_DECREF(parts);
    return out;
fail:
    Py_DECREF(parts);
    return NULL;
}

/* count_lines of a plain str: lines in it (0 for empty) */
static Py_ssize_t count_lines(PyObject *s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (n == 0) return 0;
    Py_ssize_t c = count_newlines_of(s);
    return c + (PyUnicode_READ_CHAR(s, n - 1) == '\n' ? 0 : 1);
}

/* s.rstrip() */
static PyObject *rstrip(PyObject *s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s), e = n;
    while (e > 0 && Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(s, e - 1))) e--;
    if (e == n) return s;
    PyObject *out = PyUnicode_Substring(s, 0, e);
    Py_DECREF(s);
    return out;
}

/* ---- JSON texts (codex.py `_json`, `_JSON_START`) ------------------------------------------------ */

/* Does the text start (after " \t\n\r") with a character a JSON text can start with? */
static int json_start(PyObject *s) {
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s), i = 0;
    Py_UCS4 c = 0;
    while (i < n && ((c = PyUnicode_READ(kind, data, i)) == ' ' || c == '\t' || c == '\n' || c == '\r'))
        i++;
    if (i == n) return 0;
    return c == '"' || c == '{' || c == '[' || c == 'n' || c == 't' || c == 'f' || c == 'N' ||
           c == 'I' || c == '-' || (c >= '0' && c <= '9');
}

/* `_json(text)` inside `try: ... except ValueError:` -> 1 parsed (*out, new), 0 ValueError, -1
 * anything else (raised) */
static int parse_json(PyObject *s, PyObject **out) {
    PyObject *r = PyObject_CallOneArg(F[F_ORJSON_LOADS], s);
    if (r == NULL) {
        if (!PyErr_ExceptionMatches(F[F_ORJSON_ERROR])) return -1;
        PyErr_Clear();
        r = PyObject_CallOneArg(F[F_JSON_LOADS], s);
        if (r == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_ValueError)) return -1;
            PyErr_Clear();
            return 0;
        }
    }
    *out = r;
    return 1;
}

/* ---- summaries (codex.py `_item` and its helpers) -------------------------------------------------- */

/* `_arguments(p)`: arguments or input, a JSON text parsed */
static PyObject *arguments(PyObject *p) {
    PyObject *a;
    GET(a, p, k_arguments);
    if (a == NULL) {
        GET(a, p, k_input);
        if (a == NULL) a = Py_None;
    }
    int s = is_str(a);
    if (s < 0) goto fail;
    if (s && json_start(a)) {
        PyObject *parsed;
        int r = parse_json(a, &parsed);
        if (r < 0) goto fail;
        if (r) return parsed;
    }
    return newref(a);
fail:
    return NULL;
}

/* `_call_args(p)` */
static PyObject *call_args(PyObject *p) {
    PyObject *type, *action;
    GET(type, p, k_type);
    int e = type != NULL ? eq_ascii(type, "local_shell_call") : 0;
    if (e < 0) goto fail;
    if (e) {
        GET(action, p, k_action);
        int d = is_dict(action);
        if (d < 0) goto fail;
        if (d) return newref(action);
    }
    return arguments(p);
fail:
    return NULL;
}

/* `p.get(a) or p.get(b)` (borrowed; NULL for a missing second: None) */
static int get_or(PyObject *p, PyObject *a, PyObject *b, PyObject **out) {
    PyObject *v;
    GET(v, p, a);
    if (v != NULL) {
        int t = PyObject_IsTrue(v);
        if (t < 0) goto fail;
        if (t) {
            *out = v;
            return 0;
        }
    }
    GET(v, p, b);
    *out = v != NULL ? v : Py_None;
    return 0;
fail:
    return -1;
}

/* `call_summary(p)`: `shell: ls -la` */
static PyObject *call_summary(PyObject *p) {
    PyObject *name, *v, *args = NULL, *detail = NULL, *out = NULL;
    /* name = p.get("name") or p.get("type") or "call" */
    if (get_or(p, k_name, k_type, &name) < 0) return NULL;
    int t = PyObject_IsTrue(name);
    if (t < 0) return NULL;
    if (!t) name = s_call;
    args = call_args(p);
    if (args == NULL) return NULL;
    int d = is_dict(args);
    if (d < 0) goto fail;
    if (d) {
        PyObject *cmd;
        GET(cmd, args, k_command);
        if (cmd == NULL) {
            GET(cmd, args, k_cmd);
            if (cmd == NULL) cmd = Py_None;
        }
        int l = is_list(cmd);
        if (l < 0) goto fail;
        if (l) {
            PyObject *parts = PyList_New(0);
            if (parts == NULL) goto fail;
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(cmd); i++) {
                PyObject *c = PyList_GET_ITEM(cmd, i);
                int s = is_str(c);
                if (s < 0 || (s && PyList_Append(parts, c) < 0)) {
                    Py_DECREF(parts);
                    goto fail;
                }
            }
            Py_ssize_t n = PyList_GET_SIZE(parts);
            if (n >= 3 && (PyUnicode_CompareWithASCIIString(PyList_GET_ITEM(parts, 1), "-lc") == 0 ||
                           PyUnicode_CompareWithASCIIString(PyList_GET_ITEM(parts, 1), "-c") == 0)) {
                PyObject *rest = PyList_GetSlice(parts, 2, n);
                Py_DECREF(parts);
                if (rest == NULL) goto fail;
                parts = rest;
            }
            detail = PyUnicode_Join(s_space, parts);
            Py_DECREF(parts);
            if (detail == NULL) goto fail;
        } else {
            int s = is_str(cmd);
            if (s < 0) goto fail;
            if (s) {
                detail = newref(cmd);
            } else {
                for (int f = 0; f < 6; f++) {
                    GET(v, args, k_fields[f]);
                    s = is_str(v);
                    if (s < 0) goto fail;
                    if (s) {
                        detail = newref(v);
                        break;
                    }
                }
                if (detail == NULL) detail = newref(args);
            }
        }
    } else {
        detail = newref(args);
    }
    t = PyObject_IsTrue(detail);
    if (t < 0) goto fail;
    if (t) {
        PyObject *line = one_line(detail, w_100, 100);
        if (line == NULL) goto fail;
        PyObject *ns = PyObject_Format(name, s_empty);
        if (ns == NULL) {
            Py_DECREF(line);
            goto fail;
        }
        out = PyUnicode_FromFormat("%U: %U", ns, line);
        Py_DECREF(ns);
        Py_DECREF(line);
    } else {
        out = PyObject_Str(name);
    }
fail:
    Py_XDECREF(detail);
    Py_XDECREF(args);
    return out;
}

/* `output_summary(p)`: `(12 lines, exit 0) first line` */
static PyObject *output_summary(PyObject *p) {
    PyObject *out, *parsed = NULL, *meta = NULL, *v, *res = NULL, *text = NULL;
    GET(out, p, k_output);
    if (out == NULL) out = Py_None;
    int s = is_str(out);
    if (s < 0) goto fail;
    if (s) {
        /* parsed only when it may be an object: "{", or whitespace then "{" */
        Py_ssize_t n = PyUnicode_GET_LENGTH(out), i = 0;
        int kind = PyUnicode_KIND(out);
        const void *data = PyUnicode_DATA(out);
        int obj = 0;
        if (n > 0) {
            Py_UCS4 c = PyUnicode_READ(kind, data, 0);
            if (c == '{') {
                obj = 1;
            } else if (Py_UNICODE_ISSPACE(c)) {
                while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) i++;
                obj = i < n && PyUnicode_READ(kind, data, i) == '{';
            }
        }
        if (obj && parse_json(out, &parsed) < 0) goto fail;
        int d = is_dict(parsed);
        if (d < 0) goto fail;
        if (d) {
            int has = PyDict_Contains(parsed, k_output);
            if (has < 0) goto fail;
            if (has) {
                GET(v, parsed, k_metadata);
                d = is_dict(v);
                if (d < 0) goto fail;
                meta = d ? v : NULL;
                GET(out, parsed, k_output);
                if (out == NULL) out = Py_None;
            }
        }
    } else {
        int d = is_dict(out);
        if (d < 0) goto fail;
        if (d) {
            PyObject *o = out;
            GET(v, o, k_metadata);
            d = is_dict(v);
            if (d < 0) goto fail;
            meta = d ? v : NULL;
            GET(out, o, k_content);
            if (out == NULL) {
                GET(out, o, k_output);
                if (out == NULL) out = Py_None;
            }
        }
    }
    int l = is_list(out);
    if (l < 0) goto fail;
    if (l) {
        text = block_text(out);
        if (text == NULL) goto fail;
        out = text;
    }
    s = is_str(out);
    if (s < 0) goto fail;
    Py_ssize_t lines = s ? count_lines(out) : 0;
    PyObject *line = one_line(out, w_90, 90);
    if (line == NULL) goto fail;
    PyObject *code = NULL;
    if (meta != NULL) {
        code = dget(meta, k_exit_code);
        if (code == NULL && PyErr_Occurred()) {
            Py_DECREF(line);
            goto fail;
        }
    }
    if (code != NULL) {
        PyObject *cs = PyObject_Format(code, s_empty);
        if (cs == NULL) {
            Py_DECREF(line);
            goto fail;
        }
        res = PyUnicode_FromFormat("(%zd lines, exit %U) %U", lines, cs, line);
        Py_DECREF(cs);
    } else {
        res = PyUnicode_FromFormat("(%zd lines) %U", lines, line);
    }
    Py_DECREF(line);
    if (res != NULL) res = rstrip(res);
fail:
    Py_XDECREF(text);
    Py_XDECREF(parsed);
    return res;
}

/* `_reasoning_text(p)` */
static PyObject *reasoning_text(PyObject *p) {
    PyObject *s, *text;
    GET(s, p, k_summary);
    int l = is_list(s);
    if (l < 0) goto fail;
    if (l) {
        text = block_text(s);
        if (text == NULL) goto fail;
        if (PyUnicode_GET_LENGTH(text)) return text;
        Py_DECREF(text);
    }
    GET(s, p, k_content);
    text = block_text(s != NULL ? s : Py_None);
    if (text == NULL) goto fail;
    if (PyUnicode_GET_LENGTH(text)) return text;
    Py_DECREF(text);
    GET(s, p, k_encrypted_content);
    if (s == NULL) return newref(s_empty);
    int t = PyObject_IsTrue(s);
    if (t < 0) goto fail;
    return newref(t ? s_encrypted : s_empty);
fail:
    return NULL;
}

/* a dict of n (key, value) pairs, values new references (stolen; NULL: fail, all dropped) */
static PyObject *dict_of(int n, PyObject **kv) {
    PyObject *d = NULL;
    for (int i = 0; i < n; i++)
        if (kv[2 * i + 1] == NULL) goto done;
    d = PyDict_New();
    if (d == NULL) goto done;
    for (int i = 0; i < n; i++) {
        if (PyDict_SetItem(d, kv[2 * i], kv[2 * i + 1]) < 0) {
            Py_CLEAR(d);
            goto done;
        }
    }
done:
    for (int i = 0; i < n; i++) Py_XDECREF(kv[2 * i + 1]);
    return d;
}

enum { K_MESSAGE, K_REASONING, K_CALL, K_OUTPUT, K_OTHER };

static int kind_of(PyObject *kind) {
    if (PyUnicode_Compare(kind, s_message) == 0) return K_MESSAGE;
    if (PyUnicode_Compare(kind, s_reasoning) == 0) return K_REASONING;
    if (PyUnicode_Compare(kind, s_function_call) == 0 ||
        PyUnicode_Compare(kind, s_custom_tool_call) == 0 ||
        PyUnicode_Compare(kind, s_local_shell_call) == 0)
        return K_CALL;
    if (PyUnicode_Compare(kind, s_function_call_output) == 0 ||
        PyUnicode_Compare(kind, s_custom_tool_call_output) == 0)
        return K_OUTPUT;
    return K_OTHER;
}

/* `_item(kind, p)`: the history entry of a response item (new), NULL with an error */
static PyObject *item_of(int k, PyObject *kind, PyObject *p) {
    PyObject *v, *kv[4];
    switch (k) {
    case K_MESSAGE: {
        PyObject *text = NULL, *role;
        GET(role, p, k_role);
        GET(v, p, k_content);
        text = block_text(v != NULL ? v : Py_None);
        if (text == NULL) goto fail;
        kv[0] = k_role;
        kv[1] = newref(role != NULL ? role : Py_None);
        kv[2] = k_text;
        kv[3] = one_line(text, w_200, 200);
        Py_DECREF(text);
        return dict_of(2, kv);
    }
    case K_REASONING: {
        PyObject *text = reasoning_text(p);
        if (text == NULL) goto fail;
        kv[0] = k_reasoning;
        kv[1] = one_line(text, w_200, 200);
        Py_DECREF(text);
        return dict_of(1, kv);
    }
    case K_CALL: {
        PyObject *cid;
        if (get_or(p, k_call_id, k_id, &cid) < 0) goto fail;
        kv[0] = k_call;
        kv[1] = call_summary(p);
        kv[2] = k_call_id;
        kv[3] = newref(cid);
        return dict_of(2, kv);
    }
    case K_OUTPUT: {
        GET(v, p, k_call_id);
        kv[0] = k_output;
        kv[1] = output_summary(p);
        kv[2] = k_call_id;
        kv[3] = newref(v != NULL ? v : Py_None);
        return dict_of(2, kv);
    }
    default: {
        /* {kind: one_line({k: v for k, v in p.items() if k != "type"}, 200)} */
        PyObject *rest = PyDict_New(), *key, *val;
        if (rest == NULL) goto fail;
        Py_ssize_t i = 0;
        while (PyDict_Next(p, &i, &key, &val)) {
            int e = eq_ascii(key, "type");
            if (e < 0 || (!e && PyDict_SetItem(rest, key, val) < 0)) {
                Py_DECREF(rest);
                goto fail;
            }
        }
        kv[0] = kind;
        kv[1] = one_line(rest, w_200, 200);
        Py_DECREF(rest);
        return dict_of(1, kv);
    }
    }
fail:
    return NULL;
}

/* ---- the tracker calls ----------------------------------------------------------------------------- */

static PyObject *call(int f, PyObject **args, Py_ssize_t n) {
    return PyObject_Vectorcall(F[f], args, n, NULL);
}

/* write(t, slot, data, key, value, path) */
static int t_write(PyObject *t, PyObject *slot, PyObject *data, PyObject *key, PyObject *value,
                   PyObject *path) {
    TrkCtx *c = direct(t, TRK_WRITE);
    if (c != NULL) return TRK->write(c, slot, data, key, value, path);
    PyObject *a[6] = {t, slot, data, key, value, path};
    PyObject *r = call(F_WRITE, a, 6);
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

/* append_to(t, slot, lst, value, path) */
static int t_append_to(PyObject *t, PyObject *slot, PyObject *lst, PyObject *value,
                       PyObject *path) {
    TrkCtx *c = direct(t, TRK_APPEND_TO);
    if (c != NULL) return TRK->append_to(c, slot, lst, value, path);
    PyObject *a[5] = {t, slot, lst, value, path};
    PyObject *r = call(F_APPEND_TO, a, 5);
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

/* (value, slot) = step_into(t, slot, data, key, path, default): both new references */
static int t_step_into(PyObject *t, PyObject *slot, PyObject *data, PyObject *key, PyObject *path,
                       int list_default, PyObject **value, PyObject **child) {
    PyObject *dflt = list_default ? PyList_New(0) : PyDict_New();
    if (dflt == NULL) return -1;
    TrkCtx *c = direct(t, TRK_STEP_INTO);
    PyObject *r;
    if (c != NULL) {
        r = TRK->step_into(c, slot, data, key, path, dflt);
    } else {
        PyObject *a[6] = {t, slot, data, key, path, dflt};
        r = call(F_STEP_INTO, a, 6);
    }
    Py_DECREF(dflt);
    if (r == NULL) return -1;
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_TypeError, "step_into did not return a pair");
        return -1;
    }
    *value = newref(PyTuple_GET_ITEM(r, 0));
    *child = newref(PyTuple_GET_ITEM(r, 1));
    Py_DECREF(r);
    return 0;
}

/* `now, slot = read_key(t, root, state, key); if differs(t, now, slot, new): write(...)` */
static int t_set_if_differs(PyObject *t, PyObject *root, PyObject *state, PyObject *key,
                            PyObject *new) {
    TrkCtx *c = direct(t, TRK_READ_KEY);
    PyObject *r;
    if (c != NULL) {
        r = TRK->read_key(c, root, state, key, NULL);
    } else {
        PyObject *a[4] = {t, root, state, key};
        r = call(F_READ_KEY, a, 4);
    }
    if (r == NULL) return -1;
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_TypeError, "read_key did not return a pair");
        return -1;
    }
    PyObject *ne;
    if ((c = direct(t, TRK_DIFFERS)) != NULL) {
        ne = TRK->differs(c, PyTuple_GET_ITEM(r, 0), PyTuple_GET_ITEM(r, 1), new);
    } else {
        PyObject *b[4] = {t, PyTuple_GET_ITEM(r, 0), PyTuple_GET_ITEM(r, 1), new};
        ne = call(F_DIFFERS, b, 4);
    }
    Py_DECREF(r);
    if (ne == NULL) return -1;
    int changed = PyObject_IsTrue(ne);
    Py_DECREF(ne);
    if (changed < 0) return -1;
    return changed ? t_write(t, root, state, key, new, t_empty) : 0;
}

/* ---- the lines ----------------------------------------------------------------------------------- */

/* A response item but a ghost snapshot: 1 applied, 0 for Python, -1 raised. */
static int response_item(PyObject *t, PyObject *root, PyObject *state, PyObject *p,
                         PyObject *kind) {
    int k = kind_of(kind);
    PyObject *item = item_of(k, kind, p);
    PyObject *value = NULL, *cid = NULL, *hist = NULL, *hslot = NULL;
    if (item == NULL) return -2;
    /* cid = p.get("call_id") or p.get("id"); a call's entry, made before anything is written */
    if (k == K_CALL || k == K_OUTPUT) {
        if (get_or(p, k_call_id, k_id, &cid) < 0) goto bail_out;
        if (!PyUnicode_Check(cid)) {
            cid = NULL;
        } else if (!PyUnicode_CheckExact(cid)) {
            bail();
            goto bail_out;
        } else {
            Py_INCREF(cid);
        }
    }
    if (k == K_CALL && cid != NULL) {
        PyObject *name, *kv[6];
        name = dget(p, k_name);
        if (name == NULL && PyErr_Occurred()) goto bail_out;
        int tr = name != NULL ? PyObject_IsTrue(name) : 0;
        if (tr < 0) goto bail_out;
        kv[0] = k_name;
        kv[1] = newref(tr ? name : kind);
        kv[2] = k_call;
        kv[3] = newref(PyDict_GetItem(item, k_call));
        kv[4] = k_status;
        kv[5] = newref(s_running);
        value = dict_of(3, kv);
        if (value == NULL) goto bail_out;
    }
    /* from here the tracker: errors are raised, as Python raises them */
    int rc = -1;
    if (t_step_into(t, root, state, k_history, t_empty, 1, &hist, &hslot) < 0) goto done;
    if (t_append_to(t, hslot, hist, item, t_history) < 0) goto done;
    if (cid != NULL) {
        PyObject *calls, *cslot;
        if (t_step_into(t, root, state, k_calls, t_empty, 0, &calls, &cslot) < 0) goto done;
        int w;
        if (k == K_CALL) {
            w = t_write(t, cslot, calls, cid, value, t_calls);
        } else {
            PyObject *c, *kslot, *path = PyTuple_Pack(2, k_calls, cid);
            w = path == NULL ? -1 : t_step_into(t, cslot, calls, cid, t_calls, 0, &c, &kslot);
            if (w == 0) {
                w = t_write(t, kslot, c, k_status, s_done, path);
                if (w == 0)
                    w = t_write(t, kslot, c, k_output, PyDict_GetItem(item, k_output), path);
                Py_DECREF(c);
                Py_DECREF(kslot);
            }
            Py_XDECREF(path);
        }
        Py_DECREF(calls);
        Py_DECREF(cslot);
        if (w < 0) goto done;
    }
    rc = 1;
done:
    Py_XDECREF(hist);
    Py_XDECREF(hslot);
    Py_XDECREF(value);
    Py_XDECREF(cid);
    Py_DECREF(item);
    return rc;
bail_out:
    Py_XDECREF(value);
    Py_XDECREF(cid);
    Py_DECREF(item);
    return -2;
}

/* event_msg.<kind>: 1 applied, 0 for Python, -1 raised, -2 given up (an error set) */
static int event_msg(PyObject *t, PyObject *root, PyObject *state, PyObject *p, PyObject *kind) {
    PyObject *v;
    if (PyUnicode_CompareWithASCIIString(kind, "token_count") == 0) {
        PyObject *info, *rl;
        GET(info, p, k_info);
        int d = is_dict(info);
        if (d < 0) goto given_up;
        GET(rl, p, k_rate_limits);
        int r = is_dict(rl);
        if (r < 0) goto given_up;
        PyObject *tokens = NULL;
        if (d) {
            PyObject *kv[6], *a, *b, *c;
            GET(a, info, k_total_token_usage);
            GET(b, info, k_last_token_usage);
            GET(c, info, k_model_context_window);
            kv[0] = k_total;
            kv[1] = newref(a != NULL ? a : Py_None);
            kv[2] = k_last;
            kv[3] = newref(b != NULL ? b : Py_None);
            kv[4] = k_context_window;
            kv[5] = newref(c != NULL ? c : Py_None);
            tokens = dict_of(3, kv);
            if (tokens == NULL) goto given_up;
            int w = t_write(t, root, state, k_tokens, tokens, t_empty);
            Py_DECREF(tokens);
            if (w < 0) return -1;
        }
        if (r && t_set_if_differs(t, root, state, k_rate_limits, rl) < 0) return -1;
        return 1;
    }
    if (PyUnicode_CompareWithASCIIString(kind, "task_started") == 0) {
        PyObject *kv[2] = {k_status, newref(s_running)};
        PyObject *turn = dict_of(1, kv);
        if (turn == NULL) goto given_up;
        int w = t_write(t, root, state, k_turn, turn, t_empty);
        Py_DECREF(turn);
        return w < 0 ? -1 : 1;
    }
    int um = PyUnicode_CompareWithASCIIString(kind, "user_message") == 0;
    int tc = !um && PyUnicode_CompareWithASCIIString(kind, "task_complete") == 0;
    int ta = !um && !tc && PyUnicode_CompareWithASCIIString(kind, "turn_aborted") == 0;
    if (um || tc || ta) {
        PyObject *text = NULL, *turn, *tslot;
        if (um || tc) {
            GET(v, p, um ? k_message : k_last_agent_message);
            if (v == NULL) v = Py_None;
            if (um || v != Py_None) {
                text = one_line(v, w_200, 200);
                if (text == NULL) goto given_up;
            }
        }
        int w = t_step_into(t, root, state, k_turn, t_empty, 0, &turn, &tslot);
        if (w == 0) {
            if (um) {
                w = t_write(t, tslot, turn, k_prompt, text, t_turn);
            } else if (ta) {
                w = t_write(t, tslot, turn, k_status, s_aborted, t_turn);
            } else {
                w = t_write(t, tslot, turn, k_status, s_complete, t_turn);
                if (w == 0 && text != NULL)
                    w = t_write(t, tslot, turn, k_last_agent_message, text, t_turn);
            }
            Py_DECREF(turn);
            Py_DECREF(tslot);
        }
        Py_XDECREF(text);
        return w < 0 ? -1 : 1;
    }
    if (PyUnicode_CompareWithASCIIString(kind, "thread_rolled_back") == 0) return 0;
    return 1; /* echoes of response items change nothing */
fail:
given_up:
    return -2;
}

/* apply: 1 applied, 0 for the Python path, -1 raised */
static int apply(PyObject *t, PyObject *state, PyObject *p, PyObject *ty) {
    if (!ready || !enabled || !PyDict_CheckExact(p) || !PyUnicode_CheckExact(ty)) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(ty);
    int which; /* 0 response item, 1 event message, 2 turn_context */
    Py_ssize_t skip;
    if (n >= 14 && PyUnicode_Tailmatch(ty, s_response_item_dot, 0, 14, -1) == 1) {
        which = 0;
        skip = 14;
    } else if (n >= 10 && PyUnicode_Tailmatch(ty, s_event_msg_dot, 0, 10, -1) == 1) {
        which = 1;
        skip = 10;
    } else if (PyUnicode_CompareWithASCIIString(ty, "turn_context") == 0) {
        which = 2;
        skip = 0;
    } else {
        return 0;
    }
    PyObject *kind = NULL;
    if (which < 2) {
        kind = PyUnicode_Substring(ty, skip, n);
        if (kind == NULL) return -1;
        if (which == 0 && PyUnicode_Compare(kind, s_ghost_snapshot) == 0) {
            Py_DECREF(kind);
            return 0;
        }
    }
    PyObject *root = PyObject_GetAttr(t, k_root);
    if (root == NULL) {
        Py_XDECREF(kind);
        return -1;
    }
    int r;
    /* the line's context: the tracker calls go to its C entry points */
    TrkCtx ctx, *outer = trk_ctx;
    int on = TRK != NULL && direct_on && TRK->begin(&ctx, t);
    if (on) trk_ctx = &ctx;
    if (which == 0)
        r = response_item(t, root, state, p, kind);
    else if (which == 1)
        r = event_msg(t, root, state, p, kind);
    else
        r = t_set_if_differs(t, root, state, k_turn_context, p) < 0 ? -1 : 1;
    if (on) {
        trk_ctx = outer;
        TRK->end(&ctx);
    }
    Py_DECREF(root);
    Py_XDECREF(kind);
    if (r == -2) {
        /* given up before writing anything: the Python path does the line (and raises where
         * it raises); only an Exception is given up, anything else (KeyboardInterrupt) goes on */
        if (!PyErr_ExceptionMatches(PyExc_Exception)) return -1;
        PyErr_Clear();
        return 0;
    }
    return r < 0 ? -1 : r;
}

/* apply(t, state, payload, type) -> True (applied) or False (the Python path's) */
static PyObject *py_apply(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "apply(t, state, payload, type)");
        return NULL;
    }
    int r = apply(args[0], args[1], args[2], args[3]);
    if (r < 0) return NULL;
    return PyBool_FromLong(r);
}

/* apply_tracked(self, t, state, event): CodexProjection.apply_tracked, the lines `apply` takes
 * here and the rest by the Python method (one Python call less per line) */
static PyObject *py_apply_tracked(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (!ready || nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "apply_tracked(self, t, state, event)");
        return NULL;
    }
    if (!enabled || Py_TYPE(args[0]) != (PyTypeObject *)F[F_PROJECTION_TYPE]) goto python;
    PyObject *p = PyObject_GetAttr(args[3], k_data);
    if (p == NULL) goto python;
    if (!PyDict_CheckExact(p)) {
        int d = PyDict_Check(p);
        Py_DECREF(p);
        if (d) goto python;
        Py_RETURN_NONE; /* not a dict: nothing to apply */
    }
    PyObject *ty = PyObject_GetAttr(args[3], k_type);
    if (ty == NULL) {
        Py_DECREF(p);
        goto python;
    }
    int r = apply(args[1], args[2], p, ty);
    Py_DECREF(p);
    Py_DECREF(ty);
    if (r < 0) return NULL;
    if (r) Py_RETURN_NONE;
python:
    PyErr_Clear();
    return PyObject_Vectorcall(F[F_APPLY_TRACKED_PY], args, 4, NULL);
}

/* ---- the mapper (codex.py CodexMapper.map and boundary_of) ------------------------------------ */

#define TYPE_CACHE_MAX 1024

/* "<prefix>.<sub>", the same string object for the same type (made at most once per type, for
 * up to TYPE_CACHE_MAX types per prefix) */
static PyObject *joined_type(int which, PyObject *prefix, PyObject *sub) {
    PyObject *cache = type_cache[which];
    PyObject *t = PyDict_GetItemWithError(cache, sub);
    if (t != NULL) return newref(t);
    if (PyErr_Occurred()) return NULL;
    PyObject *head = PyUnicode_Concat(prefix, s_dot);
    if (head == NULL) return NULL;
    t = PyUnicode_Concat(head, sub);
    Py_DECREF(head);
    if (t != NULL && PyDict_GET_SIZE(cache) < TYPE_CACHE_MAX && PyDict_SetItem(cache, sub, t) < 0)
        Py_CLEAR(t);
    return t;
}

/* map(self, obj) -> Mapped: an enveloped line here, anything else by the Python map */
static PyObject *py_map(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (!ready || nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "map(self, obj)");
        return NULL;
    }
    PyObject *obj = args[1], *t, *payload, *sub, *ts;
    if (!enabled || !PyDict_CheckExact(obj)) goto python;
    if ((t = dget(obj, k_type)) == NULL || (payload = dget(obj, k_payload)) == NULL ||
        !PyUnicode_CheckExact(t) || !PyDict_CheckExact(payload))
        goto python;
    if ((sub = dget(payload, k_type)) == NULL && PyErr_Occurred()) goto python;
    if ((ts = dget(obj, k_timestamp)) == NULL) {
        if (PyErr_Occurred()) goto python;
        ts = Py_None;
    }
    int which = PyUnicode_Compare(t, s_response_item) == 0 ? 0
                : PyUnicode_Compare(t, s_event_msg) == 0   ? 1
                                                           : -1;
    if (which >= 0 && sub != NULL && PyUnicode_Check(sub)) {
        if (!PyUnicode_CheckExact(sub)) goto python;
        t = joined_type(which, t, sub);
        if (t == NULL) return NULL;
    } else {
        Py_INCREF(t);
    }
    /* tuple.__new__(Mapped, (t, None, ts, payload, None)) */
    PyTypeObject *mt = (PyTypeObject *)F[F_MAPPED_TYPE];
    PyObject *r = mt->tp_alloc(mt, 5);
    if (r == NULL) {
        Py_DECREF(t);
        return NULL;
    }
    PyTuple_SET_ITEM(r, 0, t);
    PyTuple_SET_ITEM(r, 1, newref(Py_None));
    PyTuple_SET_ITEM(r, 2, newref(ts));
    PyTuple_SET_ITEM(r, 3, newref(payload));
    PyTuple_SET_ITEM(r, 4, newref(Py_None));
    return r;
python:
    PyErr_Clear();
    return PyObject_Vectorcall(F[F_MAP_PY], args, 2, NULL);
}

/* `call_of(p)` for the boundary: 0 with *opens / *answers (borrowed or NULL), -1 given up */
static int call_ids(PyObject *p, PyObject **opens, PyObject **answers) {
    PyObject *ty, *cid;
    *opens = *answers = NULL;
    GET(ty, p, k_type);
    if (ty == NULL || !PyUnicode_Check(ty)) return 0;
    if (!PyUnicode_CheckExact(ty)) return bail();
    int k = kind_of(ty);
    if (k == K_CALL) {
        if (get_or(p, k_call_id, k_id, &cid) < 0) goto fail;
    } else if (k == K_OUTPUT) {
        GET(cid, p, k_call_id);
        if (cid == NULL) return 0;
    } else {
        return 0;
    }
    if (!PyUnicode_Check(cid)) return 0;
    if (!PyUnicode_CheckExact(cid)) return bail();
    if (k == K_CALL)
        *opens = cid;
    else
        *answers = cid;
    return 0;
fail:
    return -1;
}

/* boundary_of(self, event) -> Boundary or None: a line that is no turn start, compaction,
 * appended session or rollback here (the last branch of CodexMapper.boundary: the calls it
 * opens and answers, the turn's end, its activity), anything else by the Python boundary_of */
static PyObject *py_boundary_of(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (!ready || nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "boundary_of(self, event)");
        return NULL;
    }
    PyObject *self = args[0], *ev = args[1];
    PyObject *t = NULL, *line = NULL, *last = NULL, *data = NULL, *ts = NULL, *pending = NULL,
             *raw = NULL, *out = NULL;
    if (!enabled || Py_TYPE(self) != (PyTypeObject *)F[F_MAPPER_TYPE]) goto python;
    if ((t = PyObject_GetAttr(ev, k_type)) == NULL || !PyUnicode_CheckExact(t)) goto python;
    if (PyUnicode_CompareWithASCIIString(t, "compacted") == 0 ||
        PyUnicode_CompareWithASCIIString(t, "session_meta") == 0 ||
        PyUnicode_CompareWithASCIIString(t, "event_msg.thread_rolled_back") == 0 ||
        PyUnicode_CompareWithASCIIString(t, "event_msg.task_started") == 0 ||
        PyUnicode_CompareWithASCIIString(t, "event_msg.user_message") == 0)
        goto python;
    if ((line = PyObject_GetAttr(ev, k_seq)) == NULL || (last = PyObject_GetAttr(self, k_last_)) == NULL)
        goto python;
    int le = PyObject_RichCompareBool(line, last, Py_LE);
    if (le < 0) goto python;
    if (le) { /* decided already: self._decided.get(line) */
        PyObject *decided = PyObject_GetAttr(self, k_decided_);
        if (decided == NULL) goto python;
        if (!PyDict_CheckExact(decided)) {
            Py_DECREF(decided);
            goto python;
        }
        PyObject *b = PyDict_GetItemWithError(decided, line);
        if (b == NULL && PyErr_Occurred()) {
            Py_DECREF(decided);
            goto python;
        }
        out = newref(b != NULL ? b : Py_None);
        Py_DECREF(decided);
        goto done;
    }
    if ((data = PyObject_GetAttr(ev, k_data)) == NULL) goto python;
    PyObject *p = NULL; /* the payload when a plain dict (else `{}`: nothing in it) */
    if (PyDict_CheckExact(data))
        p = data;
    else if (PyDict_Check(data))
        goto python;
    int item = PyUnicode_Tailmatch(t, s_response_item_dot, 0, 14, -1) == 1;
    PyObject *opens = NULL, *answers = NULL;
    if (item && p != NULL) {
        if (PyUnicode_CompareWithASCIIString(t, "response_item.message") == 0) {
            PyObject *role = dget(p, k_role);
            if (role == NULL && PyErr_Occurred()) goto python;
            int user = role != NULL ? eq_ascii(role, "user") : 0;
            if (user != 0) goto python; /* a user message starts a turn (or is odd) */
        }
        if (call_ids(p, &opens, &answers) < 0) goto python;
    }
    int ends = !item && (PyUnicode_CompareWithASCIIString(t, "event_msg.task_complete") == 0 ||
                         PyUnicode_CompareWithASCIIString(t, "event_msg.turn_aborted") == 0);
    if ((ts = PyObject_GetAttr(ev, k_ts)) == NULL) goto python;
    int ts_str = is_str(ts);
    if (ts_str < 0) goto python;
    if ((pending = PyObject_GetAttr(self, k_pending_)) == NULL || !PyDict_CheckExact(pending))
        goto python;
    if ((raw = PyObject_GetAttr(self, k_activity_raw_)) == NULL || !PyList_CheckExact(raw))
        goto python;
    /* decided here: from now on what fails is raised */
    if (PyObject_SetAttr(self, k_last_, line) < 0) goto done;
    if (opens != NULL && PyDict_SetItem(pending, opens, line) < 0) goto done;
    if (answers != NULL) {
        int has = PyDict_Contains(pending, answers);
        if (has < 0 || (has && PyDict_DelItem(pending, answers) < 0)) goto done;
    }
    if (ends && PyObject_SetAttr(self, k_turn_open_, Py_False) < 0) goto done;
    if (PyObject_SetAttr(self, k_activity_, line) < 0) goto done;
    if (ts_str) {
        if (PyList_Append(raw, ts) < 0) goto done;
        if (PyList_GET_SIZE(raw) >= 64) {
            PyObject *r = PyObject_CallMethodNoArgs(self, k_settle_);
            if (r == NULL) goto done;
            Py_DECREF(r);
        }
    }
    out = newref(Py_None);
    goto done;
python:
    PyErr_Clear();
    out = PyObject_Vectorcall(F[F_BOUNDARY_OF_PY], args, 2, NULL);
done:
    Py_XDECREF(t);
    Py_XDECREF(line);
    Py_XDECREF(last);
    Py_XDECREF(data);
    Py_XDECREF(ts);
    Py_XDECREF(pending);
    Py_XDECREF(raw);
    return out;
}

/* instancemethod(func): `func` as a method of a class (bound to the instance it is read from) */
static PyObject *py_instancemethod(PyObject *m, PyObject *func) {
    return PyInstanceMethod_New(func);
}

/* item(kind, payload) -> the history entry `_item` makes, or None where the C path gives the
 * line up (for tests) */
static PyObject *py_item(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_CheckExact(args[0]) || !PyDict_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "item(kind: str, payload: dict)");
        return NULL;
    }
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "core._codex: setup() was not called");
        return NULL;
    }
    PyObject *r = item_of(kind_of(args[0]), args[0], args[1]);
    if (r == NULL && PyErr_ExceptionMatches(PyExc_Exception)) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return r;
}

/* setup(functions: dict name -> callable): the tracker's functions, one_line, the parsers */
static PyObject *py_setup(PyObject *m, PyObject *fns) {
    if (!PyDict_Check(fns)) {
        PyErr_SetString(PyExc_TypeError, "setup(functions: dict)");
        return NULL;
    }
    PyObject *got[F_N];
    for (int f = 0; f < F_N; f++) {
        PyObject *fn = PyDict_GetItemString(fns, setup_names[f]);
        if (fn == NULL || !PyCallable_Check(fn)) {
            PyErr_Format(PyExc_ValueError, "setup: no callable %s", setup_names[f]);
            return NULL;
        }
        got[f] = fn;
    }
    if (!PyType_Check(got[F_MAPPER_TYPE]) || !PyType_Check(got[F_PROJECTION_TYPE]) || !PyType_Check(got[F_MAPPED_TYPE]) ||
        !PyType_IsSubtype((PyTypeObject *)got[F_MAPPED_TYPE], &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "setup: mapper_type / mapped_type (a tuple) are no types");
        return NULL;
    }
    if (!PyType_Check(got[F_ORJSON_ERROR]) ||
        !PyType_IsSubtype((PyTypeObject *)got[F_ORJSON_ERROR], (PyTypeObject *)PyExc_Exception)) {
        PyErr_SetString(PyExc_TypeError, "setup: orjson_error is not an exception class");
        return NULL;
    }
    for (int f = 0; f < F_N; f++) {
        Py_INCREF(got[f]);
        if (ready) Py_DECREF(F[f]);
        F[f] = got[f];
    }
    /* the tracker's C entry points, for those of the functions given that are the tracker's */
    PyObject *entries[TRK_N] = {[TRK_STEP_INTO] = F[F_STEP_INTO], [TRK_WRITE] = F[F_WRITE],
                                [TRK_READ_KEY] = F[F_READ_KEY], [TRK_DIFFERS] = F[F_DIFFERS],
                                [TRK_APPEND_TO] = F[F_APPEND_TO]};
    trk_bind(entries);
    ready = 1;
    Py_RETURN_NONE;
}

/* set_enabled(flag) -> the previous flag. Off, apply() leaves every line to Python. */
static PyObject *py_set_enabled(PyObject *m, PyObject *arg) {
    int on = PyObject_IsTrue(arg);
    if (on < 0) return NULL;
    PyObject *prev = PyBool_FromLong(enabled);
    enabled = on;
    return prev;
}

static PyMethodDef methods[] = {
    {"setup", py_setup, METH_O, "Bind the tracker's functions, one_line and the JSON parsers."},
    {"set_enabled", py_set_enabled, METH_O, "Switch the C path on or off; returns the old flag."},
    {"set_direct", py_set_direct, METH_O,
     "Call the tracker's C entry points (True) or its Python-level functions; returns the old flag."},
    {"direct_calls", py_direct_calls, METH_NOARGS,
     "Whether the tracker's C entry points are in use."},
    {"apply", (PyCFunction)(void (*)(void))py_apply, METH_FASTCALL,
     "apply(t, state, payload, type) -> True when applied, False for the Python path."},
    {"apply_tracked", (PyCFunction)(void (*)(void))py_apply_tracked, METH_FASTCALL,
     "apply_tracked(projection, t, state, event): CodexProjection.apply_tracked."},
    {"map", (PyCFunction)(void (*)(void))py_map, METH_FASTCALL,
     "map(mapper, obj) -> Mapped: CodexMapper.map (an enveloped line in C)."},
    {"boundary_of", (PyCFunction)(void (*)(void))py_boundary_of, METH_FASTCALL,
     "boundary_of(mapper, event) -> Boundary or None: CodexMapper.boundary_of."},
    {"instancemethod", py_instancemethod, METH_O, "A function as a method of a class."},
    {"item", (PyCFunction)(void (*)(void))py_item, METH_FASTCALL,
     "item(kind, payload) -> _item(kind, payload), or None where the Python path would run."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "agentlog_tui.core._codex", NULL, -1,
                                    methods};

#define INTERN(var, text) \
    if (((var) = PyUnicode_InternFromString(text)) == NULL) return NULL

PyMODINIT_FUNC PyInit__codex(void) {
    INTERN(k_history, "history");
    INTERN(k_calls, "calls");
    INTERN(k_turn, "turn");
    INTERN(k_tokens, "tokens");
    INTERN(k_rate_limits, "rate_limits");
    INTERN(k_turn_context, "turn_context");
    INTERN(k_root, "root");
    INTERN(k_role, "role");
    INTERN(k_text, "text");
    INTERN(k_content, "content");
    INTERN(k_reasoning, "reasoning");
    INTERN(k_summary, "summary");
    INTERN(k_encrypted_content, "encrypted_content");
    INTERN(k_call, "call");
    INTERN(k_call_id, "call_id");
    INTERN(k_id, "id");
    INTERN(k_output, "output");
    INTERN(k_metadata, "metadata");
    INTERN(k_exit_code, "exit_code");
    INTERN(k_name, "name");
    INTERN(k_type, "type");
    INTERN(k_status, "status");
    INTERN(k_arguments, "arguments");
    INTERN(k_input, "input");
    INTERN(k_action, "action");
    INTERN(k_command, "command");
    INTERN(k_cmd, "cmd");
    INTERN(k_prompt, "prompt");
    INTERN(k_message, "message");
    INTERN(k_last_agent_message, "last_agent_message");
    INTERN(k_info, "info");
    INTERN(k_total_token_usage, "total_token_usage");
    INTERN(k_last_token_usage, "last_token_usage");
    INTERN(k_model_context_window, "model_context_window");
    INTERN(k_total, "total");
    INTERN(k_last, "last");
    INTERN(k_context_window, "context_window");
    INTERN(k_fields[0], "path");
    INTERN(k_fields[1], "file_path");
    INTERN(k_fields[2], "query");
    INTERN(k_fields[3], "url");
    INTERN(k_fields[4], "plan");
    INTERN(k_fields[5], "explanation");
    INTERN(s_empty, "");
    INTERN(s_newline, "\n");
    INTERN(s_space, " ");
    INTERN(s_encrypted, "(encrypted)");
    INTERN(s_call, "call");
    INTERN(s_image, "image");
    INTERN(s_image_mark, "[image]");
    INTERN(s_running, "running");
    INTERN(s_done, "done");
    INTERN(s_complete, "complete");
    INTERN(s_aborted, "aborted");
    INTERN(s_message, "message");
    INTERN(s_reasoning, "reasoning");
    INTERN(s_function_call, "function_call");
    INTERN(s_custom_tool_call, "custom_tool_call");
    INTERN(s_local_shell_call, "local_shell_call");
    INTERN(s_function_call_output, "function_call_output");
    INTERN(s_custom_tool_call_output, "custom_tool_call_output");
    INTERN(s_ghost_snapshot, "ghost_snapshot");
    INTERN(s_response_item_dot, "response_item.");
    INTERN(s_event_msg_dot, "event_msg.");
    INTERN(k_payload, "payload");
    INTERN(k_timestamp, "timestamp");
    INTERN(k_seq, "seq");
    INTERN(k_data, "data");
    INTERN(k_ts, "ts");
    INTERN(k_last_, "_last");
    INTERN(k_decided_, "_decided");
    INTERN(k_pending_, "_pending");
    INTERN(k_activity_, "_activity");
    INTERN(k_activity_raw_, "_activity_raw");
    INTERN(k_turn_open_, "_turn_open");
    INTERN(k_settle_, "_settle_activity_ts");
    INTERN(s_response_item, "response_item");
    INTERN(s_event_msg, "event_msg");
    INTERN(s_dot, ".");
    if ((type_cache[0] = PyDict_New()) == NULL || (type_cache[1] = PyDict_New()) == NULL)
        return NULL;
    if ((w_90 = PyLong_FromLong(90)) == NULL || (w_100 = PyLong_FromLong(100)) == NULL ||
        (w_200 = PyLong_FromLong(200)) == NULL)
        return NULL;
    if ((t_empty = PyTuple_New(0)) == NULL || (t_history = PyTuple_Pack(1, k_history)) == NULL ||
        (t_calls = PyTuple_Pack(1, k_calls)) == NULL || (t_turn = PyTuple_Pack(1, k_turn)) == NULL)
        return NULL;
    Bail = PyErr_NewException("agentlog_tui.core._codex.Bail", NULL, NULL);
    if (Bail == NULL) return NULL;
    return PyModule_Create(&module);
}
