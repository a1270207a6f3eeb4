/* The Claude Code projection's direct path in C: `ClaudeCodeProjection.apply_tracked` for the
 * records a session is made of (core/formats/claude_code.py).
 *
 * A transliteration, for speed only. For one record it first works out, from the record alone,
 * everything the Python computes from it (the summaries, the tool entries, the todo list, the
 * usage counts, the parts of a tool result), and only then makes the tracker calls the Python
 * makes, in the same order, with the same arguments: the very functions the Python calls
 * (core/tracked.py's `step_into`, `write`, `read_key`, `differs`, `set_if_changed`,
 * `delete_key`: core/_tracker.c's, when built), handed over by setup(); when they are
 * core/_tracker.c's, straight through its C entry points (core/_tracker.h), one context per
 * record. So the tracker's record is the Python's by construction; what this file must get
 * exactly right is the values.
 *
 * A record this file does not handle exactly is left to the Python, whole: `apply_tracked` here
 * returns False before any tracker call, and the Python method runs as if this did not exist.
 * That covers: a tracker with an undo log, a record that is not a dict, compaction boundaries
 * and summaries (the Python applies them through the tracked views), a record whose `uuid` is
 * truthy but not a string, a tool call whose `name` is truthy but not a string, a tool result
 * whose `filenames` has no length. Everything else (missing fields, values of the wrong type,
 * any text) is handled here as the Python handles it, and a non-string value the summaries show
 * goes through the Python `one_line` itself (json.dumps, then the same cut).
 *
 * After the first tracker call, an operation that fails (a state of an unexpected shape) raises
 * here where the Python raises, since the operations are the same: the analysis then reads the
 * log again with an undo log, and this file leaves every record to the Python.
 *
 * Python side: claude_code.py calls setup() at import and `apply_tracked` first thing in its
 * own `apply_tracked`. Built as an optional extension; AGENTLOG_PURE_PYTHON=1 leaves it out.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#define TRK_CONSUMER
#include "_tracker.h" /* the tracker's C entry points */

enum { DONE = 0, FB = 1, ERR = -1 }; /* handled / leave the record to Python / exception */

/* ---- what setup() was given ------------------------------------------------------------------ */

static struct {
    PyObject *step_into, *write, *read_key, *differs, *set_if_changed, *delete_key;
    PyObject *one_line_str; /* one_line for an exact str: (text, width) -> str */
    PyObject *one_line;     /* the Python one_line, for any other value */
    PyObject *command_text; /* the Python command_text (its regular expression) */
    PyObject *file_tools;   /* FILE_TOOLS */
    PyObject *resume_key;   /* RESUME_KEY */
    PyObject *record_type;  /* the Python record_type, for a record it raises on */
    PyObject *tree_link;    /* the Python tree_link, for an event it raises on */
    PyObject *link;         /* branches.Link */
    PyObject *unknown_kind; /* the Python unknown_kind, for the cases it words */
} F;
static int ready = 0;

/* ---- constants ---------------------------------------------------------------------------------- */

#define NAMES(X)                                                                                  \
    X(type) X(message) X(content) X(uuid) X(id) X(name) X(input) X(text) X(thinking) X(usage)     \
    X(input_tokens) X(output_tokens) X(cache_read_input_tokens) X(cache_creation_input_tokens)    \
    X(sessionId) X(cwd) X(version) X(gitBranch) X(pattern) X(path) X(glob) X(command) X(todos)    \
    X(status) X(completed) X(file_path) X(notebook_path) X(tool_use_id) X(is_error)               \
    X(toolUseResult) X(file) X(filePath) X(numLines) X(totalLines) X(stdout) X(stderr)            \
    X(filenames) X(numFiles) X(mode) X(agentId) X(totalToolUseCount) X(image) X(tool_result)      \
    X(tool_use) X(server_tool_use) X(session) X(context) X(tools) X(progress) X(files) X(tokens)   \
    X(role) X(parts) X(assistant) X(user) X(running) X(done) X(error) X(last_message) X(last)     \
    X(responses) X(output) X(cache_read) X(cache_creation) X(op) X(ts) X(read) X(edit)            \
    X(create) X(update) X(data) X(parentToolUseID) X(toolUseID) X(kind) X(Glob) X(Grep) X(Bash)   \
    X(TodoWrite) X(tool) X(root) X(_undo) X(prompt) X(resumed_from) X(branch) X(url) X(query)     \
    X(description) X(subject) X(task_id) X(taskId) X(skill) X(hookName) X(hookEvent)              \
    X(taskDescription) X(hook_progress) X(bash_progress) X(agent_progress) X(strip) X(Write)      \
    X(Edit) X(summary) X(result) X(write) X(isCompactSummary) X(isMeta) X(subtype) \
    X(system) X(isSidechain) X(parentUuid) X(logicalParentUuid) X(redacted_thinking)

#define DECL(n) static PyObject *S_##n;
NAMES(DECL)
#undef DECL

static PyObject *K_assistant_tool_use, *K_assistant_thinking, *K_user_tool_result, *K_compact,
    *K_semi, *K_nl, *K_image, *K_redacted, *K_empty, *K_error_prefix, *K_no_output, *K_task_prefix,
    *K_agent_prefix, *K_question, *K_tool_use_id_key, *K_user_compact_summary, *K_user_meta,
    *K_user_command, *K_user_prompt, *K_assistant_text, *K_dash, *K_underscore;
static PyObject *P_empty, *P_session, *P_context, *P_tools, *P_tokens, *P_progress, *P_files;
static PyObject *W80, *W90, *W100, *W120, *ZERO, *ONE;
static PyObject *INPUT_FIELDS[13];

/* ---- small helpers ------------------------------------------------------------------------------ */

/* d.get(k) for a dict d (borrowed; NULL when absent). Keys here are strings and the dicts come
 * from JSON: the lookup cannot fail, and a failure would show as a missing key plus the error
 * left set, which the callers check once (PyErr_Occurred) before returning. */
static inline PyObject *get(PyObject *d, PyObject *k) {
    return d == NULL ? NULL : PyDict_GetItemWithError(d, k);
}

static inline PyObject *dict_or_null(PyObject *v) { return v != NULL && PyDict_Check(v) ? v : NULL; }

static inline int is_str(PyObject *v) { return v != NULL && PyUnicode_Check(v); }

static inline int nonempty_str(PyObject *v) { return is_str(v) && PyUnicode_GET_LENGTH(v) > 0; }

/* bool(v); a missing value is falsy. -1 on error. */
static inline int truthy(PyObject *v) { return v == NULL ? 0 : PyObject_IsTrue(v); }

/* v == s for an exact str s, as Python compares (a value of another type is never equal) */
static int str_eq(PyObject *v, PyObject *s) {
    if (v == s) return 1;
    if (v == NULL || !PyUnicode_Check(v)) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(v);
    if (n != PyUnicode_GET_LENGTH(s) || PyUnicode_KIND(v) != PyUnicode_KIND(s)) return 0;
    return memcmp(PyUnicode_DATA(v), PyUnicode_DATA(s), (size_t)n * PyUnicode_KIND(v)) == 0;
}

/* s.strip() != "" for a str s */
static int nonblank(PyObject *s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) return 1;
    return 0;
}

static PyObject *call(PyObject *f, PyObject *const *a, Py_ssize_t n) {
    return PyObject_Vectorcall(f, a, n, NULL);
}

/* one_line(value, width) (a missing value is None) */
static PyObject *one_line(PyObject *v, PyObject *width) {
    if (v == NULL) v = Py_None;
    PyObject *a[2] = {v, width};
    return call(PyUnicode_CheckExact(v) ? F.one_line_str : F.one_line, a, 2);
}

/* count_lines(text) */
static Py_ssize_t count_lines(PyObject *text) {
    if (!is_str(text)) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n == 0) return 0;
    Py_ssize_t c = PyUnicode_Count(text, K_nl, 0, n);
    if (c < 0) return -1;
    return c + (PyUnicode_READ_CHAR(text, n - 1) == '\n' ? 0 : 1);
}

/* block_text(content) (a missing content is None): a new str */
static PyObject *block_text(PyObject *content) {
    if (content != NULL && PyUnicode_Check(content)) {
        Py_INCREF(content);
        return content;
    }
    if (content == NULL || !PyList_Check(content)) {
        Py_INCREF(K_empty);
        return K_empty;
    }
    PyObject *parts = PyList_New(0);
    if (parts == NULL) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(content); i++) {
        PyObject *b = PyList_GET_ITEM(content, i), *add = NULL;
        if (PyDict_Check(b)) {
            PyObject *t = get(b, S_text);
            if (is_str(t)) add = t;
            else if (str_eq(get(b, S_type), S_image)) add = K_image;
        } else if (PyUnicode_Check(b)) {
            add = b;
        }
        if (add != NULL && PyList_Append(parts, add) < 0) {
            Py_DECREF(parts);
            return NULL;
        }
    }
    PyObject *out = PyErr_Occurred() ? NULL : PyUnicode_Join(K_nl, parts);
    Py_DECREF(parts);
    return out;
}

/* f"{a}{sep}{b}" for two strs */
static PyObject *join2(PyObject *a, const char *sep, PyObject *b) {
    return PyUnicode_FromFormat("%U%s%U", a, sep, b);
}

/* ---- tracker calls -------------------------------------------------------------------------- */

/* the pair a step_into / read_key returned, checked */
static PyObject *pair(PyObject *r, const char *what) {
    if (r != NULL && (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2)) {
        Py_DECREF(r);
        PyErr_Format(PyExc_TypeError, "%s did not return a pair", what);
        return NULL;
    }
    return r;
}

/* step_into(t, slot, data, key, path, default or a fresh {}) -> the (value, slot) pair */
static PyObject *step(PyObject *t, PyObject *slot, PyObject *data, PyObject *key, PyObject *path,
                      PyObject *dflt) {
    PyObject *own = NULL;
    if (dflt == NULL && (dflt = own = PyDict_New()) == NULL) return NULL;
    TrkCtx *c = direct(t, TRK_STEP_INTO);
    PyObject *r;
    if (c != NULL) {
        r = TRK->step_into(c, slot, data, key, path, dflt);
    } else {
        PyObject *a[6] = {t, slot, data, key, path, dflt};
        r = call(F.step_into, a, 6);
    }
    Py_XDECREF(own);
    return pair(r, "step_into");
}

/* read_key(t, slot, data, key[, default]) -> the (value, slot) pair */
static PyObject *rkey(PyObject *t, PyObject *slot, PyObject *data, PyObject *key, PyObject *dflt) {
    TrkCtx *c = direct(t, TRK_READ_KEY);
    if (c != NULL) return pair(TRK->read_key(c, slot, data, key, dflt), "read_key");
    PyObject *a[5] = {t, slot, data, key, dflt};
    return pair(call(F.read_key, a, dflt == NULL ? 4 : 5), "read_key");
}

#define FIRST(pair) PyTuple_GET_ITEM(pair, 0)
#define SECOND(pair) PyTuple_GET_ITEM(pair, 1)

static int none_call(PyObject *f, PyObject *const *a, Py_ssize_t n) {
    PyObject *r = call(f, a, n);
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

static int wr(PyObject *t, PyObject *slot, PyObject *c, PyObject *key, PyObject *value,
              PyObject *path) {
    TrkCtx *x = direct(t, TRK_WRITE);
    if (x != NULL) return TRK->write(x, slot, c, key, value, path);
    PyObject *a[6] = {t, slot, c, key, value, path};
    return none_call(F.write, a, 6);
}

static int sic(PyObject *t, PyObject *slot, PyObject *d, PyObject *key, PyObject *value,
               PyObject *path) {
    TrkCtx *x = direct(t, TRK_SET_IF_CHANGED);
    if (x != NULL) return TRK->set_if_changed(x, slot, d, key, value, path);
    PyObject *a[6] = {t, slot, d, key, value, path};
    return none_call(F.set_if_changed, a, 6);
}

static int delk(PyObject *t, PyObject *slot, PyObject *d, PyObject *key, PyObject *path) {
    TrkCtx *x = direct(t, TRK_DELETE_KEY);
    if (x != NULL) {
        PyObject *r = TRK->delete_key(x, slot, d, key, path);
        if (r == NULL) return -1;
        Py_DECREF(r);
        return 0;
    }
    PyObject *a[5] = {t, slot, d, key, path};
    return none_call(F.delete_key, a, 5);
}

/* bool(differs(t, value, slot, other)); -1 on error */
static int differs(PyObject *t, PyObject *value, PyObject *slot, PyObject *other) {
    TrkCtx *x = direct(t, TRK_DIFFERS);
    PyObject *r;
    if (x != NULL) {
        r = TRK->differs(x, value, slot, other);
    } else {
        PyObject *a[4] = {t, value, slot, other};
        r = call(F.differs, a, 4);
    }
    if (r == NULL) return -1;
    int d = PyObject_IsTrue(r);
    Py_DECREF(r);
    return d;
}

/* ---- summaries (pure: they read the record only) ---------------------------------------------- */

/* command_text(command): the Python's only when its regular expression can match (the command
 * starts with `cd` after whitespace, `\s` being the str.isspace characters), else the command */
static PyObject *command_text(PyObject *cmd) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(cmd), i = 0;
    int kind = PyUnicode_KIND(cmd);
    const void *data = PyUnicode_DATA(cmd);
    while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) i++;
    if (i + 1 < n && PyUnicode_READ(kind, data, i) == 'c' && PyUnicode_READ(kind, data, i + 1) == 'd')
        return call(F.command_text, &cmd, 1);
    Py_INCREF(cmd);
    return cmd;
}

/* key_argument(inp, INPUT_FIELDS) */
static PyObject *key_argument(PyObject *inp) {
    for (size_t i = 0; i < sizeof(INPUT_FIELDS) / sizeof(*INPUT_FIELDS); i++) {
        PyObject *v = get(inp, INPUT_FIELDS[i]);
        if (is_str(v) && nonblank(v)) {
            Py_INCREF(v);
            return v;
        }
    }
    if (PyErr_Occurred()) return NULL;
    if (PyDict_GET_SIZE(inp)) return one_line(inp, W80);
    Py_INCREF(K_empty);
    return K_empty;
}

/* tool_use_summary(block) into *out */
static int tool_use_summary(PyObject *b, PyObject **out) {
    PyObject *name = get(b, S_name);
    int t = truthy(name);
    if (t < 0) return ERR;
    if (!t) name = S_tool;
    else if (!PyUnicode_Check(name)) return FB; /* f"{name}" of another value: the Python's */
    PyObject *inp = dict_or_null(get(b, S_input)), *detail = NULL;
    if (inp != NULL) {
        PyObject *pattern = get(inp, S_pattern), *where = get(inp, S_path);
        if ((t = truthy(where)) < 0) return ERR;
        if (!t) where = get(inp, S_glob);
        PyObject *cmd, *todos;
        if ((str_eq(name, S_Glob) || str_eq(name, S_Grep)) && nonempty_str(pattern)) {
            if (nonempty_str(where)) detail = join2(pattern, " in ", where);
            else {
                detail = pattern;
                Py_INCREF(detail);
            }
        } else if (str_eq(name, S_Bash) && is_str(cmd = get(inp, S_command)) && nonblank(cmd)) {
            detail = command_text(cmd);
        } else if (str_eq(name, S_TodoWrite) && (todos = get(inp, S_todos)) != NULL &&
                   PyList_Check(todos)) {
            Py_ssize_t done = 0;
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(todos); i++) {
                PyObject *x = PyList_GET_ITEM(todos, i);
                if (PyDict_Check(x) && str_eq(get(x, S_status), S_completed)) done++;
            }
            detail = PyUnicode_FromFormat("%zd todos, %zd completed", PyList_GET_SIZE(todos), done);
        } else {
            detail = key_argument(inp);
        }
        if (detail == NULL) return ERR;
    }
    if (PyErr_Occurred()) {
        Py_XDECREF(detail);
        return ERR;
    }
    if (detail != NULL && PyUnicode_GET_LENGTH(detail) > 0) {
        PyObject *line = one_line(detail, W100);
        Py_DECREF(detail);
        if (line == NULL) return ERR;
        *out = join2(name, ": ", line);
        Py_DECREF(line);
    } else {
        Py_XDECREF(detail);
        *out = PyObject_Str(name);
    }
    return *out == NULL ? ERR : DONE;
}

/* format(v, "") as a new str (what f"{v}" shows) */
static PyObject *fmt(PyObject *v) { return PyObject_Format(v, K_empty); }

/* tool_result_summary(obj, block) into *out */
static int tool_result_summary(PyObject *obj, PyObject *b, PyObject **out) {
    PyObject *tur = dict_or_null(get(obj, S_toolUseResult)), *c = get(b, S_content), *text;
    text = is_str(c) ? (Py_INCREF(c), c) : block_text(c);
    if (text == NULL) return ERR;
    int rc = ERR, t;
    PyObject *r = NULL, *line = NULL, *n = NULL, *bt = NULL;
    if ((t = truthy(get(b, S_is_error))) < 0) goto done;
    if (t) {
        if ((line = one_line(text, W100)) != NULL) r = join2(K_error_prefix, "", line);
        goto done;
    }
    if (tur != NULL) {
        PyObject *f = dict_or_null(get(tur, S_file)), *fp;
        if (f != NULL && is_str(fp = get(f, S_filePath))) {
            PyObject *nv = get(f, S_numLines);
            if ((t = truthy(nv)) < 0) goto done;
            if (!t) {
                nv = get(f, S_totalLines);
                if ((t = truthy(nv)) < 0) goto done;
            }
            if (t) {
                n = nv;
                Py_INCREF(n);
            } else {
                Py_ssize_t k = count_lines(get(f, S_content));
                if (k < 0 || (n = PyLong_FromSsize_t(k)) == NULL) goto done;
            }
            if ((line = fmt(n)) != NULL) r = PyUnicode_FromFormat("Read %U (%U lines)", fp, line);
            goto done;
        }
        if (is_str(fp = get(tur, S_filePath))) {
            PyObject *ty = get(tur, S_type);
            int has = PyDict_Contains(tur, S_content);
            if (has < 0) goto done;
            const char *verb = (str_eq(ty, S_create) || str_eq(ty, S_update)) && has ? "Write" : "Edit";
            r = PyUnicode_FromFormat("%s %U", verb, fp);
            goto done;
        }
        if ((t = PyDict_Contains(tur, S_stdout)) != 0) {
            if (t < 0) goto done;
            PyObject *o = get(tur, S_stdout);
            if ((t = truthy(o)) < 0) goto done;
            if (!t) {
                o = get(tur, S_stderr);
                if ((t = truthy(o)) < 0) goto done;
                if (!t) o = K_empty;
            }
            Py_ssize_t k = count_lines(o);
            if (k < 0 || (line = one_line(o, W80)) == NULL) goto done;
            if (PyUnicode_GET_LENGTH(line) > 0) r = PyUnicode_FromFormat("Bash (%zd lines): %U", k, line);
            else {
                r = K_no_output;
                Py_INCREF(r);
            }
            goto done;
        }
        if ((t = PyDict_Contains(tur, S_filenames)) != 0) {
            if (t < 0) goto done;
            PyObject *fn = get(tur, S_filenames);
            if ((t = truthy(fn)) < 0) goto done;
            Py_ssize_t k = 0;
            if (t) {
                if (!(PyUnicode_Check(fn) || PyList_Check(fn) || PyDict_Check(fn))) {
                    rc = FB; /* len() of it raises in the Python */
                    goto done;
                }
                k = PyObject_Size(fn);
                if (k < 0) goto done;
            }
            PyObject *nv = get(tur, S_numFiles);
            if (nv != NULL) {
                n = nv;
                Py_INCREF(n);
            } else if ((n = PyLong_FromSsize_t(k)) == NULL) goto done;
            if ((t = PyDict_Contains(tur, S_mode)) < 0) goto done;
            if ((line = fmt(n)) != NULL) r = PyUnicode_FromFormat("%s (%U files)", t ? "Grep" : "Glob", line);
            goto done;
        }
        int a = PyDict_Contains(tur, S_agentId);
        if (a == 0) a = PyDict_Contains(tur, S_totalToolUseCount);
        if (a < 0) goto done;
        if (a) {
            if ((bt = block_text(get(tur, S_content))) == NULL) goto done;
            line = one_line(PyUnicode_GET_LENGTH(bt) ? bt : text, W90);
            if (line != NULL) r = join2(K_task_prefix, "", line);
            goto done;
        }
    }
    Py_ssize_t k = count_lines(text);
    if (k < 0) goto done;
    if (k > 1) {
        if ((line = one_line(text, W90)) != NULL) r = PyUnicode_FromFormat("(%zd lines) %U", k, line);
    } else {
        r = one_line(text, W100);
    }
done:
    Py_DECREF(text);
    Py_XDECREF(line);
    Py_XDECREF(n);
    Py_XDECREF(bt);
    if (rc == FB) {
        Py_XDECREF(r);
        return PyErr_Occurred() ? ERR : FB;
    }
    if (r == NULL || PyErr_Occurred()) {
        Py_XDECREF(r);
        return ERR;
    }
    *out = r;
    return DONE;
}

/* record_summary("progress", obj) */
static PyObject *progress_summary(PyObject *obj) {
    PyObject *d = dict_or_null(get(obj, S_data));
    PyObject *kind = get(d, S_type), *s = NULL, *x;
    int t = truthy(kind);
    if (t < 0) return NULL;
    if (!t) kind = S_progress;
    if (str_eq(kind, S_hook_progress)) {
        x = get(d, S_hookName);
        if ((t = truthy(x)) < 0) return NULL;
        if (!t) {
            x = get(d, S_hookEvent);
            if ((t = truthy(x)) < 0) return NULL;
            if (!t) x = K_empty;
        }
        PyObject *v = fmt(x), *full = v ? PyUnicode_FromFormat("hook %U", v) : NULL;
        Py_XDECREF(v);
        if (full == NULL) return NULL;
        s = PyObject_CallMethodNoArgs(full, S_strip);
        Py_DECREF(full);
        return s;
    }
    if (str_eq(kind, S_bash_progress)) {
        x = get(d, S_totalLines);
        PyObject *v = fmt(x != NULL ? x : K_question);
        if (v == NULL) return NULL;
        s = PyUnicode_FromFormat("bash output (%U lines so far)", v);
        Py_DECREF(v);
        return s;
    }
    if (str_eq(kind, S_agent_progress)) {
        PyObject *m = dict_or_null(get(d, S_message));
        PyObject *inner = dict_or_null(get(m, S_message));
        PyObject *bt = block_text(get(inner, S_content));
        if (bt == NULL) return NULL;
        PyObject *line = one_line(PyUnicode_GET_LENGTH(bt) ? bt : get(d, S_prompt), W100);
        Py_DECREF(bt);
        if (line == NULL) return NULL;
        s = join2(K_agent_prefix, "", line);
        Py_DECREF(line);
        return s;
    }
    x = get(d, S_taskDescription);
    if ((t = truthy(x)) < 0) return NULL;
    if (!t) x = K_empty;
    PyObject *a = fmt(kind), *b = a ? fmt(x) : NULL;
    PyObject *full = b ? PyUnicode_FromFormat("%U %U", a, b) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(b);
    if (full == NULL) return NULL;
    s = one_line(full, W100);
    Py_DECREF(full);
    return s;
}

/* ---- the record's parts ------------------------------------------------------------------------ */

/* `obj.get("uuid") or str(event.ts)` into *out; FB for a truthy uuid that is not a str */
static int record_uuid(PyObject *obj, PyObject *event, PyObject **out) {
    PyObject *u = get(obj, S_uuid);
    int t = truthy(u);
    if (t < 0) return ERR;
    if (t) {
        if (!PyUnicode_Check(u)) return FB;
        Py_INCREF(u);
        *out = u;
        return DONE;
    }
    PyObject *ts = PyObject_GetAttr(event, S_ts);
    if (ts == NULL) return ERR;
    *out = PyObject_Str(ts);
    Py_DECREF(ts);
    return *out == NULL ? ERR : DONE;
}

/* _session_tracked */
static int session(PyObject *t, PyObject *root, PyObject *state, PyObject *obj) {
    PyObject *v[4] = {get(obj, S_sessionId), get(obj, S_cwd), get(obj, S_version), get(obj, S_gitBranch)};
    PyObject *keys[4] = {S_id, S_cwd, S_version, S_branch};
    if (PyErr_Occurred()) return -1;
    if (!(is_str(v[0]) || is_str(v[1]) || is_str(v[2]) || is_str(v[3]))) return 0;
    PyObject *s = step(t, root, state, S_session, P_empty, NULL);
    if (s == NULL) return -1;
    int rc = -1;
    for (int i = 0; i < 4; i++)
        if (nonempty_str(v[i]) && sic(t, SECOND(s), FIRST(s), keys[i], v[i], P_session) < 0) goto out;
    PyObject *r = get(obj, F.resume_key);
    if (r == NULL && PyErr_Occurred()) goto out;
    if (r != NULL && sic(t, SECOND(s), FIRST(s), S_resumed_from, r, P_session) < 0) goto out;
    rc = 0;
out:
    Py_DECREF(s);
    return rc;
}

/* the dict blocks of a record's message content (borrowed list or NULL) */
static PyObject *content_list(PyObject *msg) {
    PyObject *c = get(msg, S_content);
    return c != NULL && PyList_Check(c) ? c : NULL;
}

/* one tool_use block's part of the record: its id, the `tools` entry, the todo list */
typedef struct {
    PyObject *tid, *entry, *todos; /* new references; entry and todos may be NULL */
} Use;

/* _usage(msg) (NULL without a usage dict) into *out */
static int usage(PyObject *msg, PyObject **out) {
    PyObject *u = dict_or_null(get(msg, S_usage));
    *out = NULL;
    if (u == NULL) return PyErr_Occurred() ? ERR : DONE;
    PyObject *src[4] = {S_input_tokens, S_output_tokens, S_cache_read_input_tokens,
                        S_cache_creation_input_tokens};
    PyObject *dst[4] = {S_input, S_output, S_cache_read, S_cache_creation};
    PyObject *d = PyDict_New();
    if (d == NULL) return ERR;
    for (int i = 0; i < 4; i++) {
        PyObject *v = get(u, src[i]);
        if (v == NULL || !PyLong_Check(v) || PyBool_Check(v)) v = ZERO;
        if (PyDict_SetItem(d, dst[i], v) < 0) {
            Py_DECREF(d);
            return ERR;
        }
    }
    *out = d;
    return DONE;
}

static int assistant(PyObject *t, PyObject *state, PyObject *obj, PyObject *event, PyObject *ty) {
    PyObject *msg = dict_or_null(get(obj, S_message));
    PyObject *uuid = NULL, *mid = NULL, *summary = NULL, *text = NULL, *u = NULL, *root = NULL;
    PyObject *content = content_list(msg), **sums = NULL;
    Py_ssize_t nb = content != NULL ? PyList_GET_SIZE(content) : 0, nuses = 0;
    Use *uses = NULL;
    int rc = record_uuid(obj, event, &uuid);
    if (rc != DONE) return rc;
    rc = ERR;
    PyObject *mv = get(msg, S_id);
    mid = is_str(mv) ? mv : uuid;
    Py_INCREF(mid);
    if (nb) {
        sums = PyMem_Calloc((size_t)nb, sizeof(PyObject *));
        uses = PyMem_Calloc((size_t)nb, sizeof(Use));
        if (sums == NULL || uses == NULL) {
            PyErr_NoMemory();
            goto out;
        }
    }
    /* the tool_use blocks' summaries (record_summary's and the entries' are the same) */
    int is_use = str_eq(ty, K_assistant_tool_use);
    for (Py_ssize_t i = 0; i < nb; i++) {
        PyObject *b = PyList_GET_ITEM(content, i), *bt;
        if (!PyDict_Check(b)) continue;
        bt = get(b, S_type);
        if (!(str_eq(bt, S_tool_use) || str_eq(bt, S_server_tool_use))) continue;
        if (!is_use && !is_str(get(b, S_id))) continue;
        int r = tool_use_summary(b, &sums[i]);
        if (r != DONE) {
            rc = r;
            goto out;
        }
    }
    if (is_use) {
        PyObject *l = PyList_New(0);
        if (l == NULL) goto out;
        for (Py_ssize_t i = 0; i < nb; i++)
            if (sums[i] != NULL && PyList_Append(l, sums[i]) < 0) {
                Py_DECREF(l);
                goto out;
            }
        summary = PyUnicode_Join(K_semi, l);
        Py_DECREF(l);
    } else if (str_eq(ty, K_assistant_thinking)) {
        for (Py_ssize_t i = 0; i < nb && summary == NULL; i++) {
            PyObject *b = PyList_GET_ITEM(content, i);
            if (PyDict_Check(b) && str_eq(get(b, S_type), S_thinking)) {
                summary = one_line(get(b, S_thinking), W120);
                if (summary == NULL) goto out;
            }
        }
        if (summary == NULL) {
            summary = K_redacted;
            Py_INCREF(summary);
        }
    } else {
        PyObject *bt = block_text(get(msg, S_content));
        if (bt == NULL) goto out;
        summary = one_line(bt, W120);
        Py_DECREF(bt);
    }
    if (summary == NULL || (text = join2(ty, ": ", summary)) == NULL) goto out;
    /* _tool_uses */
    for (Py_ssize_t i = 0; i < nb; i++) {
        PyObject *b = PyList_GET_ITEM(content, i), *bt;
        if (!PyDict_Check(b)) continue;
        bt = get(b, S_type);
        if (!(str_eq(bt, S_tool_use) || str_eq(bt, S_server_tool_use))) continue;
        Use *use = &uses[nuses++];
        PyObject *tid = get(b, S_id), *name = get(b, S_name), *inp = dict_or_null(get(b, S_input));
        use->tid = tid != NULL ? tid : Py_None;
        Py_INCREF(use->tid);
        if (!is_str(name)) name = S_tool;
        if (is_str(tid)) {
            PyObject *e = use->entry = PyDict_New();
            if (e == NULL || PyDict_SetItem(e, S_name, name) < 0 ||
                PyDict_SetItem(e, S_input, sums[i]) < 0 || PyDict_SetItem(e, S_status, S_running) < 0)
                goto out;
            PyObject *path = get(inp, S_file_path);
            int tr = truthy(path);
            if (tr < 0) goto out;
            if (!tr) path = get(inp, S_notebook_path);
            int known = PyDict_Contains(F.file_tools, name);
            if (known < 0) goto out;
            if (known && is_str(path) && PyDict_SetItem(e, S_path, path) < 0) goto out;
        }
        PyObject *todos;
        if (str_eq(name, S_TodoWrite) && (todos = get(inp, S_todos)) != NULL && PyList_Check(todos)) {
            PyObject *l = use->todos = PyList_New(0);
            if (l == NULL) goto out;
            for (Py_ssize_t j = 0; j < PyList_GET_SIZE(todos); j++) {
                PyObject *x = PyList_GET_ITEM(todos, j);
                if (!PyDict_Check(x)) continue;
                PyObject *c = get(x, S_content), *s = get(x, S_status), *item = PyDict_New();
                int r = item == NULL ? -1 : PyDict_SetItem(item, S_content, c ? c : Py_None);
                if (r == 0) r = PyDict_SetItem(item, S_status, s ? s : Py_None);
                if (r == 0) r = PyList_Append(l, item);
                Py_XDECREF(item);
                if (r < 0) goto out;
            }
        }
    }
    if (usage(msg, &u) != DONE || PyErr_Occurred()) goto out;

    /* the tracker calls, as _assistant_tracked makes them */
    PyObject *ctx = NULL, *m = NULL, *parts = NULL, *mpath = NULL, *ppath = NULL, *tpl = NULL;
    if ((root = PyObject_GetAttr(t, S_root)) == NULL || session(t, root, state, obj) < 0) goto out;
    if ((tpl = PyDict_New()) == NULL) goto calls;
    if (PyDict_SetItem(tpl, S_role, S_assistant) < 0) goto calls;
    {
        PyObject *p = PyDict_New();
        if (p == NULL || PyDict_SetItem(tpl, S_parts, p) < 0) {
            Py_XDECREF(p);
            goto calls;
        }
        Py_DECREF(p);
    }
    if ((ctx = step(t, root, state, S_context, P_empty, NULL)) == NULL) goto calls;
    if ((m = step(t, SECOND(ctx), FIRST(ctx), mid, P_context, tpl)) == NULL) goto calls;
    if ((mpath = PyTuple_Pack(2, S_context, mid)) == NULL) goto calls;
    if ((parts = step(t, SECOND(m), FIRST(m), S_parts, mpath, NULL)) == NULL) goto calls;
    if ((ppath = PyTuple_Pack(3, S_context, mid, S_parts)) == NULL) goto calls;
    if (wr(t, SECOND(parts), FIRST(parts), uuid, text, ppath) < 0) goto calls;
    for (Py_ssize_t i = 0; i < nuses; i++) {
        if (uses[i].entry != NULL) {
            PyObject *tools = step(t, root, state, S_tools, P_empty, NULL);
            if (tools == NULL) goto calls;
            int r = wr(t, SECOND(tools), FIRST(tools), uses[i].tid, uses[i].entry, P_tools);
            Py_DECREF(tools);
            if (r < 0) goto calls;
        }
        if (uses[i].todos != NULL && wr(t, root, state, S_todos, uses[i].todos, P_empty) < 0)
            goto calls;
    }
    if (u == NULL) {
        rc = DONE;
        goto calls;
    }
    /* _tokens */
    {
        PyObject *tok = NULL, *lm = NULL, *prev = NULL, *resp = NULL, *sum = NULL, *sum2 = NULL;
        int same, r = -1;
        if ((tok = step(t, root, state, S_tokens, P_empty, NULL)) == NULL) goto tokens;
        PyObject *tokd = FIRST(tok), *tslot = SECOND(tok);
        if ((lm = rkey(t, tslot, tokd, S_last_message, NULL)) == NULL) goto tokens;
        if ((same = differs(t, FIRST(lm), SECOND(lm), mid)) < 0) goto tokens;
        same = !same;
        if (same && (prev = rkey(t, tslot, tokd, S_last, NULL)) == NULL) goto tokens;
        PyObject *pv = same ? FIRST(prev) : Py_None, *ps = same ? SECOND(prev) : Py_None;
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(u, &pos, &k, &v)) {
            PyObject *before = NULL, *delta, *now;
            if (pv != Py_None && (before = rkey(t, ps, pv, k, ZERO)) == NULL) goto tokens;
            delta = PyNumber_Subtract(v, before != NULL ? FIRST(before) : ZERO);
            Py_XDECREF(before);
            if (delta == NULL) goto tokens;
            int nz = PyObject_IsTrue(delta);
            if (nz > 0) {
                now = rkey(t, tslot, tokd, k, ZERO);
                PyObject *total = now != NULL ? PyNumber_Add(FIRST(now), delta) : NULL;
                Py_XDECREF(now);
                nz = total == NULL ? -1 : wr(t, tslot, tokd, k, total, P_tokens);
                Py_XDECREF(total);
            }
            Py_DECREF(delta);
            if (nz < 0) goto tokens;
        }
        if (!same) {
            if ((resp = rkey(t, tslot, tokd, S_responses, ZERO)) == NULL) goto tokens;
            PyObject *n1 = PyNumber_Add(FIRST(resp), ONE);
            int w = n1 == NULL ? -1 : wr(t, tslot, tokd, S_responses, n1, P_tokens);
            Py_XDECREF(n1);
            if (w < 0 || wr(t, tslot, tokd, S_last_message, mid, P_tokens) < 0) goto tokens;
        }
        int d = differs(t, pv, ps, u);
        if (d < 0 || (d && wr(t, tslot, tokd, S_last, u, P_tokens) < 0)) goto tokens;
        PyObject *a = PyDict_GetItemWithError(u, S_input), *b = PyDict_GetItemWithError(u, S_cache_read),
                 *c = PyDict_GetItemWithError(u, S_cache_creation);
        if (a == NULL || b == NULL || c == NULL) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "usage");
            goto tokens;
        }
        if ((sum = PyNumber_Add(a, b)) == NULL || (sum2 = PyNumber_Add(sum, c)) == NULL) goto tokens;
        r = sic(t, tslot, tokd, S_context, sum2, P_tokens);
    tokens:
        Py_XDECREF(tok);
        Py_XDECREF(lm);
        Py_XDECREF(prev);
        Py_XDECREF(resp);
        Py_XDECREF(sum);
        Py_XDECREF(sum2);
        if (r == 0) rc = DONE;
    }
calls:
    Py_XDECREF(ctx);
    Py_XDECREF(m);
    Py_XDECREF(parts);
    Py_XDECREF(mpath);
    Py_XDECREF(ppath);
    Py_XDECREF(tpl);
out:
    if (rc == DONE && PyErr_Occurred()) rc = ERR;
    Py_XDECREF(root);
    Py_XDECREF(uuid);
    Py_XDECREF(mid);
    Py_XDECREF(summary);
    Py_XDECREF(text);
    Py_XDECREF(u);
    if (sums != NULL) {
        for (Py_ssize_t i = 0; i < nb; i++) Py_XDECREF(sums[i]);
        PyMem_Free(sums);
    }
    if (uses != NULL) {
        for (Py_ssize_t i = 0; i < nuses; i++) {
            Py_XDECREF(uses[i].tid);
            Py_XDECREF(uses[i].entry);
            Py_XDECREF(uses[i].todos);
        }
        PyMem_Free(uses);
    }
    return rc;
}

/* _file_access_tracked */
static int file_access(PyObject *t, PyObject *root, PyObject *state, PyObject *obj, PyObject *tool,
                       PyObject *kslot, PyObject *tid, PyObject *event) {
    PyObject *tur = dict_or_null(get(obj, S_toolUseResult));
    PyObject *f = dict_or_null(get(tur, S_file)), *path, *op, *pk = NULL, *nk = NULL;
    int rc = -1;
    if (f != NULL && is_str(path = get(f, S_filePath))) {
        op = S_read;
    } else if (is_str(path = get(tur, S_filePath))) {
        op = str_eq(get(tur, S_type), S_create) ? S_write : S_edit;
    } else {
        if (PyErr_Occurred() || (pk = rkey(t, kslot, tool, S_path, NULL)) == NULL) return -1;
        path = FIRST(pk);
        if (!PyUnicode_Check(path)) {
            Py_DECREF(pk);
            return 0;
        }
        if ((nk = rkey(t, kslot, tool, S_name, NULL)) == NULL) goto out;
        op = PyDict_GetItemWithError(F.file_tools, FIRST(nk));
        if (op == NULL) {
            if (PyErr_Occurred()) goto out;
            op = S_read;
        }
    }
    if (PyErr_Occurred()) goto out;
    PyObject *ts = PyObject_GetAttr(event, S_ts), *value = NULL, *files = NULL;
    if (ts == NULL) goto out;
    value = PyDict_New();
    if (value != NULL && PyDict_SetItem(value, S_op, op) == 0 &&
        PyDict_SetItem(value, S_tool_use_id, tid) == 0 && PyDict_SetItem(value, S_ts, ts) == 0 &&
        (files = step(t, root, state, S_files, P_empty, NULL)) != NULL)
        rc = wr(t, SECOND(files), FIRST(files), path, value, P_files);
    Py_DECREF(ts);
    Py_XDECREF(value);
    Py_XDECREF(files);
out:
    Py_XDECREF(pk);
    Py_XDECREF(nk);
    return rc;
}

typedef struct {
    PyObject *tid, *summary; /* new references */
    int error;
} Result;

static int user(PyObject *t, PyObject *state, PyObject *obj, PyObject *event, PyObject *ty) {
    PyObject *uuid = NULL, *root = NULL, *value = NULL, *parts = NULL, *ctx = NULL;
    Result *res = NULL;
    Py_ssize_t nres = 0;
    int rc = record_uuid(obj, event, &uuid);
    if (rc != DONE) return rc;
    rc = ERR;
    PyObject *msg = dict_or_null(get(obj, S_message));
    if (!str_eq(ty, K_user_tool_result)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(ty), dot = PyUnicode_FindChar(ty, '.', 0, n, 1);
        if (dot == -2) goto out;
        PyObject *kind = dot >= 0 ? PyUnicode_Substring(ty, dot + 1, n) : (Py_INCREF(S_prompt), S_prompt);
        if (kind == NULL) goto out;
        PyObject *bt = block_text(get(msg, S_content)), *line = bt ? one_line(bt, W120) : NULL;
        PyObject *text = line ? join2(kind, ": ", line) : NULL;
        Py_DECREF(kind);
        Py_XDECREF(bt);
        Py_XDECREF(line);
        if (text == NULL) goto out;
        PyObject *p = PyDict_New();
        int r = p == NULL ? -1 : PyDict_SetItem(p, uuid, text);
        Py_DECREF(text);
        if (r == 0 && (value = PyDict_New()) != NULL && PyDict_SetItem(value, S_role, S_user) == 0)
            r = PyDict_SetItem(value, S_parts, p);
        else
            r = -1;
        Py_XDECREF(p);
        if (r < 0 || PyErr_Occurred()) goto out;
        if ((root = PyObject_GetAttr(t, S_root)) == NULL || session(t, root, state, obj) < 0) goto out;
        if ((ctx = step(t, root, state, S_context, P_empty, NULL)) == NULL) goto out;
        if (wr(t, SECOND(ctx), FIRST(ctx), uuid, value, P_context) < 0) goto out;
        rc = DONE;
        goto out;
    }
    PyObject *content = content_list(msg);
    Py_ssize_t nb = content != NULL ? PyList_GET_SIZE(content) : 0;
    if (nb && (res = PyMem_Calloc((size_t)nb, sizeof(Result))) == NULL) {
        PyErr_NoMemory();
        goto out;
    }
    if ((parts = PyDict_New()) == NULL) goto out;
    for (Py_ssize_t i = 0; i < nb; i++) {
        PyObject *b = PyList_GET_ITEM(content, i);
        if (!PyDict_Check(b) || !str_eq(get(b, S_type), S_tool_result)) continue;
        Result *r = &res[nres++];
        PyObject *tid = get(b, S_tool_use_id);
        r->tid = tid != NULL ? tid : Py_None;
        Py_INCREF(r->tid);
        int e = truthy(get(b, S_is_error));
        if (e < 0) goto out;
        r->error = e;
        int s = tool_result_summary(obj, b, &r->summary);
        if (s != DONE) {
            rc = s;
            goto out;
        }
        PyObject *key = PyObject_Str(r->tid);
        int w = key == NULL ? -1 : PyDict_SetItem(parts, key, r->summary);
        Py_XDECREF(key);
        if (w < 0) goto out;
    }
    if (PyErr_Occurred()) goto out;
    if ((root = PyObject_GetAttr(t, S_root)) == NULL || session(t, root, state, obj) < 0) goto out;
    if ((ctx = step(t, root, state, S_context, P_empty, NULL)) == NULL) goto out;
    for (Py_ssize_t i = 0; i < nres; i++) {
        PyObject *tid = res[i].tid;
        if (!PyUnicode_Check(tid)) continue;
        PyObject *tools = NULL, *tool = NULL, *path = NULL, *progress = NULL;
        int r = -1;
        if ((tools = step(t, root, state, S_tools, P_empty, NULL)) == NULL) goto one;
        if ((tool = step(t, SECOND(tools), FIRST(tools), tid, P_tools, NULL)) == NULL) goto one;
        if ((path = PyTuple_Pack(2, S_tools, tid)) == NULL) goto one;
        if (wr(t, SECOND(tool), FIRST(tool), S_status, res[i].error ? S_error : S_done, path) < 0 ||
            wr(t, SECOND(tool), FIRST(tool), S_result, res[i].summary, path) < 0)
            goto one;
        if (!res[i].error &&
            file_access(t, root, state, obj, FIRST(tool), SECOND(tool), tid, event) < 0)
            goto one;
        if ((progress = step(t, root, state, S_progress, P_empty, NULL)) == NULL) goto one;
        r = delk(t, SECOND(progress), FIRST(progress), tid, P_progress);
    one:
        Py_XDECREF(tools);
        Py_XDECREF(tool);
        Py_XDECREF(path);
        Py_XDECREF(progress);
        if (r < 0) goto out;
    }
    if ((value = PyDict_New()) == NULL || PyDict_SetItem(value, S_role, S_user) < 0 ||
        PyDict_SetItem(value, S_parts, parts) < 0)
        goto out;
    if (wr(t, SECOND(ctx), FIRST(ctx), uuid, value, P_context) < 0) goto out;
    rc = DONE;
out:
    if (rc == DONE && PyErr_Occurred()) rc = ERR;
    Py_XDECREF(uuid);
    Py_XDECREF(root);
    Py_XDECREF(value);
    Py_XDECREF(parts);
    Py_XDECREF(ctx);
    if (res != NULL) {
        for (Py_ssize_t i = 0; i < nres; i++) {
            Py_XDECREF(res[i].tid);
            Py_XDECREF(res[i].summary);
        }
        PyMem_Free(res);
    }
    return rc;
}

/* apply_tracked's progress branch */
static int progress(PyObject *t, PyObject *state, PyObject *obj) {
    PyObject *root = PyObject_GetAttr(t, S_root), *tools = NULL, *tool = NULL, *status = NULL,
             *value = NULL, *text = NULL, *prog = NULL;
    if (root == NULL) return ERR;
    int rc = ERR, tr;
    if (session(t, root, state, obj) < 0) goto out;
    PyObject *d = dict_or_null(get(obj, S_data)), *tid = get(obj, S_parentToolUseID);
    if ((tr = truthy(tid)) < 0) goto out;
    if (!tr) tid = get(obj, S_toolUseID);
    if (PyErr_Occurred()) goto out;
    if (!is_str(tid)) {
        rc = DONE;
        goto out;
    }
    Py_INCREF(tid); /* held: the calls below may drop the record's other references */
    if ((tools = step(t, root, state, S_tools, P_empty, NULL)) == NULL) goto held;
    if ((tool = rkey(t, SECOND(tools), FIRST(tools), tid, NULL)) == NULL) goto held;
    if (FIRST(tool) != Py_None) {
        if ((status = rkey(t, SECOND(tool), FIRST(tool), S_status, NULL)) == NULL) goto held;
        int dd = differs(t, FIRST(status), SECOND(status), S_running);
        if (dd < 0) goto held;
        if (dd) {
            rc = DONE;
            goto held;
        }
    }
    PyObject *kind = get(d, S_type);
    if ((text = progress_summary(obj)) == NULL || (value = PyDict_New()) == NULL) goto held;
    if (PyDict_SetItem(value, S_kind, kind != NULL ? kind : Py_None) < 0 ||
        PyDict_SetItem(value, S_text, text) < 0)
        goto held;
    if ((prog = step(t, root, state, S_progress, P_empty, NULL)) == NULL) goto held;
    if (wr(t, SECOND(prog), FIRST(prog), tid, value, P_progress) < 0) goto held;
    rc = DONE;
held:
    Py_DECREF(tid);
out:
    if (rc == DONE && PyErr_Occurred()) rc = ERR;
    Py_DECREF(root);
    Py_XDECREF(tools);
    Py_XDECREF(tool);
    Py_XDECREF(status);
    Py_XDECREF(value);
    Py_XDECREF(text);
    Py_XDECREF(prog);
    return rc;
}


/* ---- record_type and tree_link ---------------------------------------------------------------- */

/* Does `s` (a str) start, after its leading whitespace, with one of the command prefixes? */
static int command_prefix(PyObject *s) {
    static const char *prefixes[] = {"<command-name>", "<local-command-", "<command-message>"};
    Py_ssize_t n = PyUnicode_GET_LENGTH(s), i = 0;
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) i++;
    for (size_t p = 0; p < sizeof(prefixes) / sizeof(*prefixes); p++) {
        const char *q = prefixes[p];
        Py_ssize_t j = 0;
        while (q[j] && i + j < n && PyUnicode_READ(kind, data, i + j) == (Py_UCS4)(unsigned char)q[j]) j++;
        if (!q[j]) return 1;
    }
    return 0;
}

/* The `type` of each dict block of a content list, as `{b.get("type") for b in content}` needs
 * them: FB when one cannot be hashed (the Python raises building the set). `*has[i]` is set when
 * one equals kinds[i]. */
static int block_kinds(PyObject *content, PyObject *const *kinds, int nk, int *has) {
    for (int k = 0; k < nk; k++) has[k] = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(content); i++) {
        PyObject *b = PyList_GET_ITEM(content, i);
        if (!PyDict_Check(b)) continue;
        PyObject *t = get(b, S_type);
        if (t == NULL) continue;
        if (!PyUnicode_Check(t)) {
            if (PyList_Check(t) || PyDict_Check(t)) return FB;
            if (!(t == Py_None || PyBool_Check(t) || PyLong_Check(t) || PyFloat_Check(t))) return FB;
            continue;
        }
        for (int k = 0; k < nk; k++)
            if (str_eq(t, kinds[k])) has[k] = 1;
    }
    return PyErr_Occurred() ? ERR : DONE;
}

/* record_type(obj) as a new str; FB where the Python raises */
static int record_type_of(PyObject *obj, PyObject **out) {
    PyObject *t = get(obj, S_type);
    if (t == NULL || !PyUnicode_CheckExact(t)) return PyErr_Occurred() ? ERR : FB;
    PyObject *r = NULL;
    int tr;
    if (str_eq(t, S_user)) {
        if ((tr = truthy(get(obj, S_isCompactSummary))) != 0) {
            if (tr < 0) return ERR;
            r = K_user_compact_summary;
        } else {
            PyObject *content = get(dict_or_null(get(obj, S_message)), S_content);
            if (content != NULL && PyList_Check(content)) {
                PyObject *kinds[1] = {S_tool_result};
                int has[1];
                int rc = block_kinds(content, kinds, 1, has);
                if (rc != DONE) return rc;
                if (has[0]) r = K_user_tool_result;
            }
            if (r == NULL && (tr = truthy(get(obj, S_isMeta))) != 0) {
                if (tr < 0) return ERR;
                r = K_user_meta;
            }
            if (r == NULL) {
                PyObject *text = block_text(content);
                if (text == NULL) return ERR;
                r = command_prefix(text) ? K_user_command : K_user_prompt;
                Py_DECREF(text);
            }
        }
    } else if (str_eq(t, S_assistant)) {
        PyObject *content = get(dict_or_null(get(obj, S_message)), S_content);
        if (content != NULL && PyList_Check(content)) {
            PyObject *kinds[5] = {S_tool_use, S_server_tool_use, S_text, S_thinking, S_redacted_thinking};
            PyObject *names[5] = {K_assistant_tool_use, K_assistant_tool_use, K_assistant_text,
                                  K_assistant_thinking, K_assistant_thinking};
            int has[5];
            int rc = block_kinds(content, kinds, 5, has);
            if (rc != DONE) return rc;
            for (int k = 0; k < 5 && r == NULL; k++)
                if (has[k]) r = names[k];
            if (r == NULL) r = S_assistant;
        } else {
            r = content != NULL && PyUnicode_Check(content) ? K_assistant_text : S_assistant;
        }
    } else if (str_eq(t, S_system)) {
        PyObject *sub = get(obj, S_subtype);
        if (nonempty_str(sub)) {
            *out = PyUnicode_FromFormat("system.%U", sub);
            return *out == NULL ? ERR : DONE;
        }
        r = S_system;
    } else {
        *out = PyUnicode_Replace(t, K_dash, K_underscore, -1);
        return *out == NULL ? ERR : DONE;
    }
    if (PyErr_Occurred()) return ERR;
    Py_INCREF(r);
    *out = r;
    return DONE;
}

/* record_type(obj): the Python's for a record it raises on (no `type` string, ...) */
static PyObject *py_record_type(PyObject *m, PyObject *obj) {
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "core._claude: setup() was not called");
        return NULL;
    }
    PyObject *out = NULL;
    int rc = PyDict_CheckExact(obj) ? record_type_of(obj, &out) : FB;
    if (rc == DONE) return out;
    if (rc == ERR) return NULL;
    return call(F.record_type, &obj, 1);
}

/* tree_link(event): Link(uuid, parent, leaf, turn) or None; the Python's for an odd record */
static PyObject *py_tree_link(PyObject *m, PyObject *event) {
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "core._claude: setup() was not called");
        return NULL;
    }
    PyObject *d = PyObject_GetAttr(event, S_data), *ty = NULL, *out = NULL;
    if (d == NULL) return NULL;
    if (!PyDict_CheckExact(d)) goto python;
    PyObject *uuid = get(d, S_uuid);
    if (uuid == NULL || !PyUnicode_Check(uuid) || get(d, S_isSidechain) == Py_True) {
        if (PyErr_Occurred()) goto done;
        out = Py_None;
        Py_INCREF(out);
        goto done;
    }
    PyObject *parent = get(d, S_parentUuid);
    if (!is_str(parent)) {
        parent = get(d, S_logicalParentUuid);
        if (!is_str(parent)) parent = Py_None;
    }
    PyObject *rt = get(d, S_type);
    if (rt != NULL && !(PyUnicode_Check(rt) || rt == Py_None || PyBool_Check(rt) ||
                        PyLong_Check(rt) || PyFloat_Check(rt)))
        goto python; /* `in` a frozenset hashes it */
    ty = PyObject_GetAttr(event, S_type);
    if (ty == NULL) goto done;
    if (!PyUnicode_CheckExact(ty)) goto python;
    int leaf = str_eq(rt, S_user) || str_eq(rt, S_assistant) || str_eq(rt, S_system);
    int turn = str_eq(ty, K_user_prompt) || str_eq(ty, K_user_command);
    if (PyErr_Occurred()) goto done;
    /* Link(...) without its __new__: a tuple of the Link type, as tuple.__new__(Link, ...) */
    PyTypeObject *lt = (PyTypeObject *)F.link;
    out = lt->tp_alloc(lt, 4);
    if (out == NULL) goto done;
    PyObject *items[4] = {uuid, parent, leaf ? Py_True : Py_False, turn ? Py_True : Py_False};
    for (int i = 0; i < 4; i++) {
        Py_INCREF(items[i]);
        PyTuple_SET_ITEM(out, i, items[i]);
    }
    goto done;
python:
    out = call(F.tree_link, &event, 1);
done:
    Py_XDECREF(ty);
    Py_DECREF(d);
    return out;
}


/* unknown_kind(event): None for the common records; the Python's where it has something to say
 * (a user or assistant record without a message, an assistant record of no known block kind) or
 * for an odd event */
static PyObject *py_unknown_kind(PyObject *m, PyObject *event) {
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "core._claude: setup() was not called");
        return NULL;
    }
    PyObject *obj = PyObject_GetAttr(event, S_data), *ty = NULL, *out = NULL;
    if (obj == NULL) return NULL;
    if (!PyDict_CheckExact(obj)) {
        out = Py_None;
        Py_INCREF(out);
        goto done;
    }
    PyObject *t = get(obj, S_type), *msg = get(obj, S_message);
    if ((str_eq(t, S_user) || str_eq(t, S_assistant)) && (msg == NULL || !PyDict_Check(msg)))
        goto python;
    if (t != NULL && !(PyUnicode_Check(t) || t == Py_None || PyBool_Check(t) || PyLong_Check(t) ||
                       PyFloat_Check(t) || PyList_Check(t) || PyDict_Check(t)))
        goto python; /* a comparison the Python makes with ==: left to it */
    ty = PyObject_GetAttr(event, S_type);
    if (ty == NULL) goto done;
    if (!PyUnicode_CheckExact(ty) || str_eq(ty, S_assistant)) goto python;
    if (str_eq(ty, K_user_tool_result)) {
        PyObject *content = content_list(dict_or_null(get(obj, S_message)));
        Py_ssize_t n = content != NULL ? PyList_GET_SIZE(content) : 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *b = PyList_GET_ITEM(content, i);
            if (PyDict_Check(b) && str_eq(get(b, S_type), S_tool_result) &&
                !is_str(get(b, S_tool_use_id))) {
                out = PyUnicode_FromString("tool_result without tool_use_id");
                goto done;
            }
        }
    }
    if (PyErr_Occurred()) goto done;
    out = Py_None;
    Py_INCREF(out);
    goto done;
python:
    out = call(F.unknown_kind, &event, 1);
done:
    Py_XDECREF(ty);
    Py_DECREF(obj);
    return out;
}

/* ---- the functions Python calls --------------------------------------------------------------- */

/* apply_tracked(t, state, event) -> True when applied here, False to leave it to the Python */
static PyObject *py_apply_tracked(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (!ready || nargs != 3) Py_RETURN_FALSE;
    PyObject *t = args[0], *state = args[1], *event = args[2];
    PyObject *undo = PyObject_GetAttr(t, S__undo);
    if (undo == NULL) return NULL;
    Py_DECREF(undo);
    if (undo != Py_None) Py_RETURN_FALSE;
    PyObject *obj = PyObject_GetAttr(event, S_data);
    if (obj == NULL) return NULL;
    PyObject *ty = PyDict_CheckExact(obj) ? PyObject_GetAttr(event, S_type) : NULL;
    int rc = FB;
    /* the record's context: the tracker calls below go to its C entry points */
    TrkCtx ctx, *outer = trk_ctx;
    int on = TRK != NULL && direct_on && ty != NULL && TRK->begin(&ctx, t);
    if (on) trk_ctx = &ctx;
    if (ty != NULL && PyUnicode_CheckExact(ty) && !str_eq(ty, K_compact) && !str_eq(ty, S_summary)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(ty);
        if (PyUnicode_Tailmatch(ty, S_assistant, 0, n, -1) == 1) {
            rc = assistant(t, state, obj, event, ty);
        } else if (PyUnicode_Tailmatch(ty, S_user, 0, n, -1) == 1) {
            rc = user(t, state, obj, event, ty);
        } else if (str_eq(ty, S_progress)) {
            rc = progress(t, state, obj);
        } else {
            PyObject *root = PyObject_GetAttr(t, S_root);
            rc = root == NULL || session(t, root, state, obj) < 0 ? ERR : DONE;
            Py_XDECREF(root);
        }
    } else if (PyErr_Occurred()) {
        rc = ERR;
    }
    if (on) {
        trk_ctx = outer;
        TRK->end(&ctx);
    }
    Py_XDECREF(ty);
    Py_DECREF(obj);
    if (rc == ERR) return NULL;
    if (rc == FB && PyErr_Occurred()) PyErr_Clear(); /* nothing was written: the Python decides */
    return PyBool_FromLong(rc == DONE);
}

static PyObject *cfg_get(PyObject *cfg, const char *name) {
    PyObject *v = PyDict_GetItemString(cfg, name);
    if (v == NULL) PyErr_Format(PyExc_KeyError, "setup: no %s", name);
    return v;
}

/* setup(cfg): the tracker functions and the Python helpers the summaries use */
static PyObject *py_setup(PyObject *m, PyObject *cfg) {
    if (!PyDict_Check(cfg)) {
        PyErr_SetString(PyExc_TypeError, "setup(cfg: dict)");
        return NULL;
    }
    const char *names[] = {"step_into", "write", "read_key", "differs", "set_if_changed",
                           "delete_key", "one_line_str", "one_line", "command_text", "file_tools",
                           "resume_key", "record_type", "tree_link", "link", "unknown_kind"};
    PyObject **slots[] = {&F.step_into, &F.write, &F.read_key, &F.differs, &F.set_if_changed,
                          &F.delete_key, &F.one_line_str, &F.one_line, &F.command_text,
                          &F.file_tools, &F.resume_key, &F.record_type, &F.tree_link, &F.link,
                          &F.unknown_kind};
    enum { N = 15 };
    PyObject *got[N];
    for (int i = 0; i < N; i++)
        if ((got[i] = cfg_get(cfg, names[i])) == NULL) return NULL;
    if (!PyDict_Check(got[9]) || !PyUnicode_Check(got[10]) || !PyType_Check(got[13]) ||
        !PyType_IsSubtype((PyTypeObject *)got[13], &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError,
                        "setup: file_tools must be a dict, resume_key a str, link a tuple type");
        return NULL;
    }
    for (int i = 0; i < N; i++) {
        Py_INCREF(got[i]);
        Py_XSETREF(*slots[i], got[i]);
    }
    /* the tracker's C entry points, for those of the functions given that are the tracker's */
    PyObject *fns[TRK_N] = {[TRK_STEP_INTO] = F.step_into, [TRK_WRITE] = F.write,
                            [TRK_READ_KEY] = F.read_key, [TRK_DIFFERS] = F.differs,
                            [TRK_SET_IF_CHANGED] = F.set_if_changed,
                            [TRK_DELETE_KEY] = F.delete_key, [TRK_APPEND_TO] = NULL};
    trk_bind(fns);
    ready = 1;
    Py_RETURN_NONE;
}

/* ---- the mapper's per-record calls: map and boundary_of ------------------------------------------ */
/* ClaudeCodeMapper.map and .boundary_of, set on the class through `instancemethod`: the common
 * record here, anything else by the Python method (the same answer, so these only save time).
 * map: a record of the file's first session (or of no session), the type by record_type_of;
 * a record without a `type` string, the first record while no session is known, or one of a
 * resumed session go to the Python. boundary_of: a record that is no compaction boundary and
 * carries no resume mark (its uuid's first line remembered), the others to the Python. */

static struct {
    PyObject *map, *boundary_of; /* the Python methods, for the records left to them */
    PyObject *mapped;            /* formats.base.Mapped */
    PyObject *timestamp, *first_session, *line_of, *seq;
} M;
static int mapper_ready = 0;

static PyObject *py_mapper_map(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (!mapper_ready || !ready || nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "map(self, obj): setup_mapper() not called, or bad call");
        return NULL;
    }
    PyObject *self = args[0], *obj = args[1], *t = NULL;
    if (!PyDict_CheckExact(obj)) goto python;
    PyObject *sid = get(obj, S_sessionId), *uuid = get(obj, S_uuid);
    if (PyErr_Occurred()) goto python;
    if (is_str(sid) && is_str(uuid)) { /* a session's record: the first session's stays here */
        if (!PyUnicode_CheckExact(sid)) goto python;
        PyObject *first = PyObject_GetAttr(self, M.first_session);
        if (first == NULL) goto python;
        int same = PyUnicode_CheckExact(first) && str_eq(sid, first);
        Py_DECREF(first);
        if (!same) goto python;
    }
    if (record_type_of(obj, &t) != DONE) goto python;
    PyObject *ts = get(obj, M.timestamp);
    if (ts == NULL) {
        if (PyErr_Occurred()) goto python;
        ts = Py_None;
    }
    /* tuple.__new__(Mapped, (t, None, ts, obj, None)) */
    PyTypeObject *mt = (PyTypeObject *)M.mapped;
    PyObject *r = mt->tp_alloc(mt, 5);
    if (r == NULL) {
        Py_DECREF(t);
        return NULL;
    }
    Py_INCREF(Py_None);
    Py_INCREF(ts);
    Py_INCREF(obj);
    Py_INCREF(Py_None);
    PyTuple_SET_ITEM(r, 0, t);
    PyTuple_SET_ITEM(r, 1, Py_None);
    PyTuple_SET_ITEM(r, 2, ts);
    PyTuple_SET_ITEM(r, 3, obj);
    PyTuple_SET_ITEM(r, 4, Py_None);
    return r;
python:
    Py_XDECREF(t);
    PyErr_Clear();
    return PyObject_Vectorcall(M.map, args, 2, NULL);
}

static PyObject *py_mapper_boundary_of(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (!mapper_ready || !ready || nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "boundary_of(self, event): setup_mapper() not called, or bad call");
        return NULL;
    }
    PyObject *self = args[0], *ev = args[1];
    PyObject *d = NULL, *ty = NULL, *line_of = NULL, *seq = NULL;
    d = PyObject_GetAttr(ev, S_data);
    if (d == NULL || !PyDict_CheckExact(d)) goto python;
    int marked = PyDict_Contains(d, F.resume_key);
    if (marked != 0) goto python;
    ty = PyObject_GetAttr(ev, S_type);
    if (ty == NULL || !PyUnicode_CheckExact(ty) || str_eq(ty, K_compact)) goto python;
    PyObject *u = get(d, S_uuid);
    if (u == NULL) {
        if (PyErr_Occurred()) goto python;
    } else if (PyUnicode_Check(u)) {
        if (!PyUnicode_CheckExact(u)) goto python;
        line_of = PyObject_GetAttr(self, M.line_of);
        if (line_of == NULL || !PyDict_CheckExact(line_of)) goto python;
        seq = PyObject_GetAttr(ev, M.seq);
        if (seq == NULL || PyDict_SetDefault(line_of, u, seq) == NULL) goto python;
    }
    Py_DECREF(d);
    Py_DECREF(ty);
    Py_XDECREF(line_of);
    Py_XDECREF(seq);
    Py_RETURN_NONE;
python:
    Py_XDECREF(d);
    Py_XDECREF(ty);
    Py_XDECREF(line_of);
    Py_XDECREF(seq);
    PyErr_Clear();
    return PyObject_Vectorcall(M.boundary_of, args, 2, NULL);
}

/* setup_mapper(cfg): the Python map and boundary_of, and Mapped */
static PyObject *py_setup_mapper(PyObject *m, PyObject *cfg) {
    if (!PyDict_Check(cfg)) {
        PyErr_SetString(PyExc_TypeError, "setup_mapper(cfg: dict)");
        return NULL;
    }
    PyObject *map = cfg_get(cfg, "map"), *bo = cfg_get(cfg, "boundary_of"), *mt = cfg_get(cfg, "mapped");
    if (map == NULL || bo == NULL || mt == NULL) return NULL;
    if (!PyType_Check(mt) || !PyType_IsSubtype((PyTypeObject *)mt, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "setup_mapper: mapped must be a tuple type");
        return NULL;
    }
    if (M.timestamp == NULL &&
        ((M.timestamp = PyUnicode_InternFromString("timestamp")) == NULL ||
         (M.first_session = PyUnicode_InternFromString("first_session")) == NULL ||
         (M.line_of = PyUnicode_InternFromString("_line_of")) == NULL ||
         (M.seq = PyUnicode_InternFromString("seq")) == NULL))
        return NULL;
    Py_INCREF(map);
    Py_INCREF(bo);
    Py_INCREF(mt);
    Py_XSETREF(M.map, map);
    Py_XSETREF(M.boundary_of, bo);
    Py_XSETREF(M.mapped, mt);
    mapper_ready = 1;
    Py_RETURN_NONE;
}

/* instancemethod(func): `func` as a method of a class (bound to the instance it is read from) */
static PyObject *py_instancemethod(PyObject *m, PyObject *func) { return PyInstanceMethod_New(func); }

static PyMethodDef methods[] = {
    {"setup", py_setup, METH_O, "Bind the tracker functions and the Python helpers."},
    {"set_direct", py_set_direct, METH_O,
     "Call the tracker's C entry points (True) or its Python-level functions; returns the old flag."},
    {"direct_calls", py_direct_calls, METH_NOARGS,
     "Whether the tracker's C entry points are in use."},
    {"apply_tracked", (PyCFunction)(void (*)(void))py_apply_tracked, METH_FASTCALL,
     "apply_tracked(t, state, event) -> True when applied, False to leave it to the Python."},
    {"record_type", py_record_type, METH_O, "record_type(obj) -> the event type of a record."},
    {"tree_link", py_tree_link, METH_O, "tree_link(event) -> Link or None."},
    {"unknown_kind", py_unknown_kind, METH_O, "unknown_kind(event) -> what is missing, or None."},
    {"setup_mapper", py_setup_mapper, METH_O, "Bind the Python map, boundary_of and Mapped."},
    {"map", (PyCFunction)(void (*)(void))py_mapper_map, METH_FASTCALL,
     "map(self, obj) -> Mapped: ClaudeCodeMapper.map."},
    {"boundary_of", (PyCFunction)(void (*)(void))py_mapper_boundary_of, METH_FASTCALL,
     "boundary_of(self, event) -> Boundary or None: ClaudeCodeMapper.boundary_of."},
    {"instancemethod", py_instancemethod, METH_O, "A function as a method of a class."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "agentlog_tui.core._claude", NULL, -1,
                                    methods};

static PyObject *intern(const char *s) { return PyUnicode_InternFromString(s); }

PyMODINIT_FUNC PyInit__claude(void) {
#define INIT(n) if ((S_##n = intern(#n)) == NULL) return NULL;
    NAMES(INIT)
#undef INIT
    if ((K_assistant_tool_use = intern("assistant.tool_use")) == NULL ||
        (K_assistant_thinking = intern("assistant.thinking")) == NULL ||
        (K_user_tool_result = intern("user.tool_result")) == NULL ||
        (K_compact = intern("system.compact_boundary")) == NULL || (K_semi = intern("; ")) == NULL ||
        (K_nl = intern("\n")) == NULL || (K_image = intern("[image]")) == NULL ||
        (K_redacted = intern("(redacted thinking)")) == NULL || (K_empty = intern("")) == NULL ||
        (K_error_prefix = intern("error: ")) == NULL ||
        (K_no_output = intern("Bash (no output)")) == NULL ||
        (K_task_prefix = intern("Task: ")) == NULL || (K_agent_prefix = intern("agent: ")) == NULL ||
        (K_question = intern("?")) == NULL || (K_tool_use_id_key = intern("tool_use_id")) == NULL ||
        (K_user_compact_summary = intern("user.compact_summary")) == NULL ||
        (K_user_meta = intern("user.meta")) == NULL || (K_user_command = intern("user.command")) == NULL ||
        (K_user_prompt = intern("user.prompt")) == NULL ||
        (K_assistant_text = intern("assistant.text")) == NULL || (K_dash = intern("-")) == NULL ||
        (K_underscore = intern("_")) == NULL)
        return NULL;
    if ((P_empty = PyTuple_New(0)) == NULL || (P_session = PyTuple_Pack(1, S_session)) == NULL ||
        (P_context = PyTuple_Pack(1, S_context)) == NULL || (P_tools = PyTuple_Pack(1, S_tools)) == NULL ||
        (P_tokens = PyTuple_Pack(1, S_tokens)) == NULL ||
        (P_progress = PyTuple_Pack(1, S_progress)) == NULL || (P_files = PyTuple_Pack(1, S_files)) == NULL)
        return NULL;
    if ((W80 = PyLong_FromLong(80)) == NULL || (W90 = PyLong_FromLong(90)) == NULL ||
        (W100 = PyLong_FromLong(100)) == NULL || (W120 = PyLong_FromLong(120)) == NULL ||
        (ZERO = PyLong_FromLong(0)) == NULL || (ONE = PyLong_FromLong(1)) == NULL)
        return NULL;
    PyObject *fields[13] = {S_command, S_file_path, S_notebook_path, S_path, S_pattern, S_url,
                            S_query, S_description, S_prompt, S_subject, S_task_id, S_taskId, S_skill};
    memcpy(INPUT_FIELDS, fields, sizeof(fields));
    return PyModule_Create(&module);
}
