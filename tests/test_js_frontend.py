"""The JavaScript/TypeScript front end: tree-sitter -> IR (slsguard.code.ir).

Most assertions compare a compact, exact rendering of the IR (`_show`); positions are
checked on the dataclasses themselves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from slsguard.code import ir
from slsguard.code.js_frontend import exported_functions, parse_javascript, parse_js_source

FIXTURES = Path(__file__).parent / "fixtures" / "code" / "javascript" / "frontend"


# -- rendering ------------------------------------------------------------------------------


def _show(e: ir.Expr | None) -> str:
    match e:
        case None:
            return "-"
        case ir.Name(id=name):
            return name
        case ir.Const(value=value):
            return repr(value)
        case ir.Attr(obj=obj, attr=attr):
            return f"{_show(obj)}.{attr}"
        case ir.Index(obj=obj, key=key):
            return f"{_show(obj)}[{_show(key)}]"
        case ir.Call(name=name, args=args, kwargs=kwargs):
            callee = name or f"<{_show(e.func)}>"
            kws = [f"{k.name or '**'}={_show(k.value)}" for k in kwargs]
            return f"{callee}({', '.join([*map(_show, args), *kws])})"
        case ir.StrBuild(kind=kind, parts=parts):
            return f"{kind}[{', '.join(map(_show, parts))}]"
        case ir.BinOp(op=op, left=left, right=right):
            return f"({_show(left)} {op} {_show(right)})"
        case ir.BoolOp(op=op, values=values):
            return f"{op}({', '.join(map(_show, values))})"
        case ir.Compare(ops=ops, left=left, comparators=comps):
            rest = " ".join(f"{o} {_show(c)}" for o, c in zip(ops, comps, strict=True))
            return f"cmp({_show(left)} {rest})"
        case ir.Unary(op=op, operand=operand):
            return f"{op}({_show(operand)})"
        case ir.Cond(test=test, body=body, orelse=orelse):
            return f"({_show(body)} if {_show(test)} else {_show(orelse)})"
        case ir.Dict(keys=keys, values=values):
            items = [
                f"**{_show(v)}" if k is None else f"{_show(k)}: {_show(v)}"
                for k, v in zip(keys, values, strict=True)
            ]
            return "{" + ", ".join(items) + "}"
        case ir.Seq(items=items):
            return "[" + ", ".join(map(_show, items)) + "]"
        case ir.Lambda(params=params, body=body):
            return f"lambda({', '.join(params)}): {_show(body)}"
        case ir.Spread(value=value):
            return f"*{_show(value)}"
        case ir.Unknown(children=children):
            return f"?({', '.join(map(_show, children))})"
    return f"<{type(e).__name__}>"


def _stmts(stmts: tuple[ir.Stmt, ...]) -> list[str]:
    return [_stmt(s) for s in stmts]


def _stmt(s: ir.Stmt) -> str:
    match s:
        case ir.Assign(targets=targets, value=value):
            return " = ".join([*map(_show, targets), _show(value)])
        case ir.ExprStmt(value=value):
            return _show(value)
        case ir.Return(value=value):
            return f"return {_show(value)}"
        case ir.Raise(value=value):
            return f"raise {_show(value)}"
        case ir.Jump(kind=kind):
            return kind
        case ir.If(test=test, body=body, orelse=orelse):
            return f"if {_show(test)} {_stmts(body)} else {_stmts(orelse)}"
        case ir.Loop(target=target, iter=it, test=test, body=body):
            head = f"for {_show(target)} in {_show(it)}" if it is not None else "while"
            return f"{head} {_show(test)} {_stmts(body)}"
        case ir.Try(body=body, handlers=handlers, finalbody=final):
            hs = [f"except {h.types} as {h.name} {_stmts(h.body)}" for h in handlers]
            return f"try {_stmts(body)} {hs} finally {_stmts(final)}"
        case ir.With(items=items, body=body):
            return f"with {[_show(i.context) for i in items]} {_stmts(body)}"
        case ir.Def(name=name, qualname=qualname):
            return f"def {name} {qualname}"
    return f"<{type(s).__name__}>"


def _parse(src: str, **kw: bool) -> ir.Module:
    return parse_javascript(src, "handler.js", **kw)


def _body(src: str, fn: str = "f", **kw: bool) -> list[str]:
    return _stmts(_parse(src, **kw).functions[fn].body)


def _expr(src: str, **kw: bool) -> str:
    """The value of `x = <src>` inside a function."""
    stmts = _body(f"function f() {{ x = {src}; }}", **kw)
    assert len(stmts) == 1, stmts
    return stmts[0].removeprefix("x = ")


# -- expressions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("a.b", "a.b"),
        ('a["b"]', "a['b']"),
        ("a?.b?.c", "a.b.c"),
        ('a?.["k"]', "a['k']"),
        ("a[i]", "a[i]"),
        ("obj.#secret", "obj.#secret"),
        ("f(a, ...rest)", "f(a, *rest)"),
        ("a?.b?.()", "a.b()"),
        ("new Date", "Date()"),
        ("new X(1, y)", "X(1, y)"),
        ("`ls ${dir} -l`", "fstring['ls ', dir, ' -l']"),
        ("`plain`", "'plain'"),
        ("`a\\n${b}\\u0041`", "fstring['a\\n', b, 'A']"),
        ("sql`SELECT ${id}`", "sql(['SELECT '], id)"),
        ('"ls " + dir', "concat['ls ', dir]"),
        ('a + "-" + b + c', "concat[a, '-', b, c]"),
        ("a + b", "(a + b)"),
        ("a - b * c", "(a - (b * c))"),
        ('[a, b].join("/")', "join['/', [a, b]]"),
        ('xs.join(",")', "join[',', xs]"),
        ("xs.join()", "join[',', xs]"),
        ('path.join("a", b)', "path.join('a', b)"),
        ("await g(x)", "g(x)"),
        ("(y)", "y"),
        ("JSON.parse(s)", "JSON.parse(s)"),
        ("a && b && c", "and(a, b, c)"),
        ("a || b", "or(a, b)"),
        ("a ?? b", "or(a, b)"),
        ("a === b", "cmp(a == b)"),
        ("a !== null", "cmp(a != None)"),
        ("a < 3", "cmp(a < 3)"),
        ('"k" in o', "cmp('k' in o)"),
        ("e instanceof Error", "cmp(e instanceof Error)"),
        ("!a", "not(a)"),
        ("-a", "-(a)"),
        ("typeof a", "typeof(a)"),
        ("void 0", "void(0)"),
        ("c ? a : b", "(a if c else b)"),
        ("{ a: 1, b, [k]: v, ...rest, 'q-q': 2 }", "{'a': 1, 'b': b, k: v, **rest, 'q-q': 2}"),
        ("[1, ...xs, , 2]", "[1, *xs, 2]"),
        ("null", "None"),
        ("undefined", "None"),
        ("true", "True"),
        ("0x1F", "31"),
        ("1_000", "1000"),
        ("1.5e3", "1500.0"),
        ("10n", "10"),
        ("/ab+c/gi", "'/ab+c/gi'"),
        ("'it\\'s'", '"it\'s"'),
        ("ALLOWED.includes(v)", "cmp(v in ALLOWED)"),
        ("seen.has(v)", "cmp(v in seen)"),
        ("g(import('m'))", "g(import('m'))"),
    ],
)
def test_expressions(src: str, expected: str) -> None:
    assert _expr(src) == expected


def test_options_object_reads_as_keywords() -> None:
    got = _expr("spawn(cmd, args, { shell: true, timeout: 5, ...opts })")
    assert got == (
        "spawn(cmd, args, {'shell': True, 'timeout': 5, **opts}, shell=True, timeout=5, **=opts)"
    )


def test_sequence_and_nested_assignment_are_hoisted() -> None:
    assert _body("function f() { x = (g(), h()); }") == ["g()", "x = h()"]
    assert _body("function f() { if ((m = re.exec(s)) !== null) use(m); }") == [
        "m = re.exec(s)",
        "if cmp(m != None) ['use(m)'] else []",
    ]


def test_typescript_types_are_stripped() -> None:
    src = (
        "function f(a: string, b?: number): void {"
        " const v = a as unknown as string; const w = <string>a; const z = a!.b;"
        " g<number>(a); const s = a satisfies T; }"
    )
    assert _body(src, typescript=True) == ["v = a", "w = a", "z = a.b", "g(a)", "s = a"]


def test_typescript_declarations_without_runtime_effect_are_dropped() -> None:
    module = _parse(
        "interface I { a: string }\ntype T = string;\nenum E { A }\ndeclare const z: number;\n"
        "function over(a: string): void;\nfunction over(a: any) {}\n",
        typescript=True,
    )
    assert module.body == ()
    assert list(module.functions) == ["over"]


def test_tsx_and_jsx_keep_embedded_expressions() -> None:
    module = parse_js_source((FIXTURES / "component.tsx").read_text(), "component.tsx")
    assert _stmts(module.functions["Page"].body) == [
        "user = <arg0>.user",
        "def <anonymous@3:17> Page.<anonymous@3:17>",
        "return ?(lambda(): Page.<anonymous@3:17>, user.name)",
    ]
    assert _expr("<a href={url}>{label}</a>") == "?(url, label)"


# -- statements -----------------------------------------------------------------------------


def test_declarations_and_destructuring() -> None:
    src = """function f(event) {
      const { body, headers: { host } = {}, "x-id": xid, ...rest } = event;
      let [a, , b = 2, ...more] = event.items;
      var c = 1, d;
      const { one } = await load();
    }"""
    assert _body(src) == [
        "body = event.body",
        "host = or(event.headers, {}).host",
        "xid = event.x-id",
        "rest = event",
        "a = event.items[0]",
        "b = or(event.items[2], 2)",
        "more = event.items[?()]",
        "c = 1",
        "one = load().one",
    ]


def test_destructuring_a_call_evaluates_it_once() -> None:
    assert _body("function f() { const { a, b } = g(); }") == [
        "<tmp@1:22> = g()",
        "a = <tmp@1:22>.a",
        "b = <tmp@1:22>.b",
    ]


def test_assignments() -> None:
    src = """function f() {
      a = b = c; o.k = 1; o["k"] = 2; ({ p, q } = src);
      n += 1; s += "x" + y; t ||= d; u ??= e; i++; --j;
    }"""
    assert _body(src) == [
        "a = b = c",
        "o.k = 1",
        "o['k'] = 2",
        "p = src.p",
        "q = src.q",
        "n = (n + 1)",
        "s = concat[s, concat['x', y]]",
        "t = or(t, d)",
        "u = or(u, e)",
        "i = (i + 1)",
        "j = (j - 1)",
    ]


def test_control_flow() -> None:
    src = """function f(x) {
      if (x) { a(); } else if (y) { b(); } else c();
      while (x > 0) { x--; if (x === 3) break; continue; }
      do { d(); } while (p);
      for (let i = 0; i < n; i++) { g(i); }
      for (const k in obj) h(k);
      for await (const [k, v] of pairs) use(k, v);
      label: for (;;) { break label; }
      try { risky(); } catch ({ message }) { log(message); } finally { done(); }
      try { risky(); } catch { }
      throw new Error("bad");
    }"""
    assert _body(src) == [
        "if x ['a()'] else [\"if y ['b()'] else ['c()']\"]",
        "while cmp(x > 0) ['x = (x - 1)', \"if cmp(x == 3) ['break'] else []\", 'continue']",
        "while p ['d()']",
        "i = 0",
        "while cmp(i < n) ['g(i)', 'i = (i + 1)']",
        "for k in obj - ['h(k)']",
        "for <tmp@7:24> in pairs - ['k = <tmp@7:24>[0]', 'v = <tmp@7:24>[1]', 'use(k, v)']",
        "while True ['break']",
        "try ['risky()'] [\"except () as <tmp@9:31> "
        "['message = <tmp@9:31>.message', 'log(message)']\"] finally ['done()']",
        "try ['risky()'] ['except () as None []'] finally []",
        "raise Error('bad')",
    ]


def test_switch_becomes_nested_ifs() -> None:
    src = """function f(e) {
      switch (e.method) {
        case "GET":
        case "HEAD": get(); break;
        default: other(); break;
        case "POST": { post(); break; }
      }
      switch (kind()) { case 1: one(); }
    }"""
    assert _body(src) == [
        "if or(cmp(e.method == 'GET'), cmp(e.method == 'HEAD')) ['get()'] else "
        "[\"if cmp(e.method == 'POST') ['post()'] else ['other()']\"]",
        "<tmp@8:7> = kind()",
        "if cmp(<tmp@8:7> == 1) ['one()'] else []",
    ]


def test_break_inside_a_loop_inside_a_switch_is_kept() -> None:
    src = "function f(x) { switch (x) { case 1: for (;;) { break; } } }"
    assert _body(src) == ["if cmp(x == 1) [\"while True ['break']\"] else []"]


def test_with_and_blocks() -> None:
    assert _body("function f() { with (o) { a(); } { b(); } ; debugger; }") == [
        "with ['o'] ['a()']",
        "b()",
    ]


# -- functions, classes, positions ----------------------------------------------------------


def test_function_kinds_and_qualnames() -> None:
    src = """
    function decl(a, b = 1, ...rest) {}
    const arrow = async (event) => event.body;
    let expr = function named(x) {};
    function* gen() { yield 1; }
    function outer() {
      function inner() {}
      const cb = () => 1;
      return [1].map((v) => v * 2);
    }
    const api = { get(e) {}, put: async (e) => {} };
    """
    module = _parse(src)
    assert list(module.functions) == [
        "decl", "arrow", "expr", "gen", "outer.inner", "outer.cb", "outer.<anonymous@9:22>",
        "outer", "get", "put",
    ]  # fmt: skip
    decl = module.functions["decl"]
    assert [(p.name, p.kind, _show(p.default)) for p in decl.params] == [
        ("a", "", "-"),
        ("b", "", "1"),
        ("rest", "*", "-"),
    ]
    assert _stmts(module.functions["arrow"].body) == ["return event.body"]
    assert _stmts(module.functions["gen"].body) == ["?(1)"]
    assert _stmts(module.functions["outer"].body) == [
        "def inner outer.inner",
        "def cb outer.cb",
        "def <anonymous@9:22> outer.<anonymous@9:22>",
        "return ?.map(lambda(v): outer.<anonymous@9:22>)",  # "?": a receiver that is no name
    ]
    assert module.functions["outer.inner"].parent == "outer"
    assert module.functions["decl"].parent is None


def test_object_literal_members_are_named_after_the_variable_key() -> None:
    module = _parse("function f() { const api = { get(e) {} }; return api; }")
    assert _stmts(module.functions["f"].body) == [
        "def get f.get",
        "api = {'get': lambda(e): f.get}",
        "return api",
    ]


def test_destructured_parameters() -> None:
    module = _parse("const f = async ({ body, headers: h }, [first]) => body;")
    fn = module.functions["f"]
    assert [p.name for p in fn.params] == ["<arg0>", "<arg1>"]
    assert _stmts(fn.body) == [
        "body = <arg0>.body",
        "h = <arg0>.headers",
        "first = <arg1>[0]",
        "return body",
    ]


def test_classes() -> None:
    src = """
    @Injectable()
    class Repo extends Base {
      static VERSION = 2;
      pool = makePool();
      #hidden = 1;
      constructor(private readonly db: Db, name?: string) { super(); }
      @Log() async find(id: string): Promise<T> { return this.db.query(id); }
      static make(): Repo { return new Repo(null!); }
      handle = async (e: any) => e.x;
      get size() { return 1; }
      static { init(); }
    }
    """
    module = _parse(src, typescript=True)
    assert _stmts(module.body) == [
        "Repo.VERSION = 2",
        "this.pool = makePool()",
        "this.#hidden = 1",
        "init()",
    ]
    ctor = module.functions["Repo.constructor"]
    assert [p.name for p in ctor.params] == ["this", "db", "name"]
    assert _stmts(ctor.body) == ["this.db = db", "super()"]
    find = module.functions["Repo.find"]
    assert (find.class_name, [p.name for p in find.params]) == ("Repo", ["this", "id"])
    assert [_show(d) for d in find.decorators] == ["Log()"]
    make = module.functions["Repo.make"]
    assert [p.name for p in make.params] == []
    assert [_show(d) for d in make.decorators] == ["staticmethod"]
    assert [p.name for p in module.functions["Repo.handle"].params] == ["this", "e"]
    assert "Repo.size" in module.functions


def test_nested_class_is_announced() -> None:
    module = _parse("function f() { class Inner { m() {} } return Inner; }")
    assert _stmts(module.functions["f"].body) == ["def Inner f.Inner", "return Inner"]
    assert module.functions["f.Inner.m"].parent == "f"


def test_redefinition_gets_a_distinct_qualname() -> None:
    module = _parse("function h() {}\nfunction h() { return 2; }")
    assert list(module.functions) == ["h", "h@2:1"]


def test_positions_are_one_based_characters() -> None:
    module = _parse('const s = "é"; function f() {\n  const t = "ü" + x;\n}')
    fn = module.functions["f"]
    assert (fn.line, fn.col) == (1, 16)
    assign = fn.body[0]
    assert isinstance(assign, ir.Assign)
    assert (assign.line, assign.col) == (2, 9)
    value = assign.value
    assert isinstance(value, ir.StrBuild)
    assert [(p.line, p.col) for p in value.parts] == [(2, 13), (2, 19)]


def test_named_literals_for_hard_coded_secrets() -> None:
    module = _parse(
        'const DB_PASSWORD = "x1";\nthis.token = "x2";\ncfg["apiKey"] = "x3";\n'
        'connect({ password: "x4", port: 5 });\nfunction f(secret = "x5") {}\n'
        "const n = 1;"
    )
    assert [(lit.name, lit.value.value, lit.value.line) for lit in module.literals] == [
        ("DB_PASSWORD", "x1", 1),
        ("token", "x2", 2),
        ("apiKey", "x3", 3),
        ("password", "x4", 4),
        ("secret", "x5", 5),
    ]


# -- imports and callee names ---------------------------------------------------------------


def test_imports_and_resolved_callee_names() -> None:
    src = """
    const { exec, spawn: sp } = require("child_process");
    const cp = require("node:child_process");
    const execFile = require("child_process").execFile;
    import axios from "axios";
    import { S3Client as S3, GetObjectCommand } from "@aws-sdk/client-s3";
    import * as fs from "fs";
    import type { Context } from "aws-lambda";
    async function f(cmd) {
      const { readFile } = await import("fs/promises");
      const s3 = new S3({});
      exec(cmd); sp(cmd); cp.execSync(cmd); execFile(cmd); axios.get(cmd);
      require("child_process").exec(cmd);
      await s3.send(new GetObjectCommand({}));
      readFile(cmd); fs.readFileSync(cmd);
    }
    """
    module = _parse(src, typescript=True)
    assert module.imports == {
        "exec": "child_process.exec",
        "sp": "child_process.spawn",
        "cp": "child_process",
        "execFile": "child_process.execFile",
        "axios": "axios",
        "S3": "@aws-sdk/client-s3.S3Client",
        "GetObjectCommand": "@aws-sdk/client-s3.GetObjectCommand",
        "fs": "fs",
        "readFile": "fs/promises.readFile",
    }
    calls = [
        (s.value.name, s.value.qualname)
        for s in module.functions["f"].body
        if isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Call)
    ]
    assert calls == [
        ("child_process.exec", "child_process.exec"),
        ("child_process.spawn", "child_process.spawn"),
        ("child_process.execSync", "child_process.execSync"),
        ("child_process.execFile", "child_process.execFile"),
        ("axios.get", "axios.get"),
        ("child_process.exec", "child_process.exec"),
        ("s3.send", "@aws-sdk/client-s3.S3Client().send"),
        ("fs/promises.readFile", "fs/promises.readFile"),
        ("fs.readFileSync", "fs.readFileSync"),
    ]


def test_local_names_shadow_imports_and_resolve_through_assignments() -> None:
    src = """
    const mysql = require("mysql2");
    const pool = mysql.createPool({});
    function f(exec) {
      exec("x");
      let conn = null;
      conn = pool.getConnection();
      conn.query("q");
      const { rows } = pool.query("q");
      rows.map(String);
    }
    """
    module = _parse(src)
    calls = [
        (s.value.name, s.value.qualname)
        for s in module.functions["f"].body
        if isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Call)
    ]
    assert calls == [
        ("exec", "exec"),
        ("conn.query", "mysql2.createPool().getConnection().query"),
        ("rows.map", "mysql2.createPool().query().rows.map"),
    ]


# -- exports --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("module.exports.handler = async (event) => {};", {"handler": "handler"}),
        ("exports.handler = function (event) {};", {"handler": "handler"}),
        ('exports["h"] = (e) => e;', {"h": "h"}),
        ("function a() {}\nexports.x = a;", {"x": "a"}),
        (
            "function x() {}\nfunction z() {}\nmodule.exports = { x, y: z, async m(e) {} };",
            {"x": "x", "y": "z", "m": "m"},
        ),
        ("module.exports = async (event) => {};", {"default": "default"}),
        ("function h() {}\nmodule.exports = h;", {"default": "h"}),
        ("exports.a = () => 1;\nmodule.exports = { b() {} };", {"b": "b"}),
        ("export const x = async (event) => 1;", {"x": "x"}),
        ("export async function x(event) {}", {"x": "x"}),
        ("export default async function main(event) {}", {"default": "main"}),
        ("export default async (event) => {};", {"default": "default"}),
        ("function a() {}\nexport { a as b, a };", {"b": "a", "a": "a"}),
        (
            "const middy = require('@middy/core');\nfunction base(e) {}\n"
            "export const handler = middy(base).use(json());",
            {"handler": "base"},
        ),
        ("export * from './x';\nexport { y } from './y';\nexport const n = 1;", {}),
        (
            "class Svc { static handle(e) {} }\nexports.handler = Svc.handle;",
            {"handler": "Svc.handle"},
        ),
    ],
)
def test_exported_functions(src: str, expected: dict[str, str]) -> None:
    assert exported_functions(_parse(src)) == expected


def test_typescript_export_assignment() -> None:
    module = _parse("function h(e) {}\nexport = h;", typescript=True)
    assert exported_functions(module) == {"default": "h"}


# -- realistic files ------------------------------------------------------------------------


def test_commonjs_handler_file() -> None:
    module = parse_js_source((FIXTURES / "commonjs.js").read_text(), "commonjs.js")
    assert exported_functions(module) == {"handler": "handler", "list": "list"}
    assert module.imports == {
        "exec": "child_process.exec",
        "cp": "child_process",
        "AWS": "aws-sdk",
    }
    handler = module.functions["handler"]
    assert [p.name for p in handler.params] == ["event", "context"]
    assert _stmts(handler.body) == [
        "body = event.body",
        "id = or(event.pathParameters, {}).id",
        "payload = JSON.parse(or(body, '{}'))",
        "def <anonymous@17:36> handler.<anonymous@17:36>",
        "child_process.exec(buildCommand(payload.file), lambda(err, stdout): "
        "handler.<anonymous@17:36>)",
        "child_process.execSync(concat['ls ', id])",
        "obj = s3.getObject().promise()",
        "return {'statusCode': 200, 'body': obj.Body.toString()}",
    ]
    call = handler.body[6].value
    assert isinstance(call, ir.Call) and isinstance(call.func, ir.Attr)
    assert call.qualname == "aws-sdk.S3().getObject().promise"
    assert _show(call.func.obj) == (
        "s3.getObject({'Bucket': TABLE, 'Key': id}, Bucket=TABLE, Key=id)"
    )
    assert _stmts(module.functions["buildCommand"].body) == [
        "return fstring['convert ', name, ' out.png']"
    ]


def test_esm_handler_file() -> None:
    module = parse_js_source((FIXTURES / "esm.mjs").read_text(), "esm.mjs")
    assert exported_functions(module) == {
        "handler": "baseHandler",
        "health": "health",
        "default": "baseHandler",
        "raw": "baseHandler",
    }
    body = module.functions["baseHandler"].body
    assert _stmts(body)[:3] == [
        "url = event.queryStringParameters.url",
        "res = axios.get(url, {'timeout': 2000}, timeout=2000)",
        "key = path.join('/tmp', event.pathParameters.key)",
    ]
    send = body[3]
    assert isinstance(send, ir.ExprStmt) and isinstance(send.value, ir.Call)
    assert send.value.qualname == "@aws-sdk/client-s3.S3Client().send"
    assert send.value.args[0] == ir.Call(
        ir.Name("GetObjectCommand", 13, 25),
        "@aws-sdk/client-s3.GetObjectCommand",
        "@aws-sdk/client-s3.GetObjectCommand",
        (
            ir.Dict(
                (ir.Const("Bucket", 13, 44), ir.Const("Key", 13, 57)),
                (ir.Const("b", 13, 52), ir.Name("key", 13, 62)),
                13,
                42,
            ),
        ),
        (
            ir.Keyword("Bucket", ir.Const("b", 13, 52)),
            ir.Keyword("Key", ir.Name("key", 13, 62)),
        ),
        13,
        21,
    )


def test_typescript_handler_file() -> None:
    module = parse_js_source((FIXTURES / "typescript.ts").read_text(), "typescript.ts")
    assert exported_functions(module) == {"handler": "handler"}
    assert module.imports == {"Pool": "pg.Pool"}
    assert set(module.functions) == {
        "logged", "OrderRepo.constructor", "OrderRepo.find", "OrderRepo.create", "handler",
    }  # fmt: skip
    assert _stmts(module.functions["OrderRepo.find"].body) == [
        'result = this.db.query(fstring["SELECT * FROM orders WHERE id = \'", id, "\'"])',
        "return result.rows[0]",
    ]
    assert _stmts(module.functions["handler"].body) == [
        "id = event.pathParameters.id",
        "repo = OrderRepo.create()",
        "order = repo.find(id)",
        "return {'statusCode': 200, 'body': JSON.stringify(or(order, None))}",
    ]


# -- robustness -----------------------------------------------------------------------------


def test_syntax_errors_become_unknown_and_the_function_survives() -> None:
    module = parse_js_source((FIXTURES / "broken.js").read_text(), "broken.js")
    assert exported_functions(module) == {"handler": "handler"}
    stmts = _stmts(module.functions["handler"].body)
    assert stmts[0] == "cmd = event.cmd"
    assert "?()" in stmts  # the stray `)` beside `const x =`
    top = _parse("function g( { return 1 }\nfoo(;")
    assert any(isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Unknown) for s in top.body), (
        _stmts(top.body)
    )


def test_generated_5000_line_file_parses() -> None:
    lines = ['const { exec } = require("child_process");']
    i = 0
    while len(lines) < 5000:
        lines += [
            f"exports.h{i} = async (event) => {{",
            f"  const v{i} = event.body + '{i}';",
            f"  if (v{i}) {{ exec(`echo ${{v{i}}}`); }}",
            "  return { statusCode: 200 };",
            "};",
        ]
        i += 1
    module = _parse("\n".join(lines))
    assert len(module.functions) == i
    assert len(exported_functions(module)) == i


def test_long_operator_chains_do_not_recurse() -> None:
    chain = " + ".join(f"a{i}" for i in range(3000))
    value = _parse(f"x = {chain};").body[0]
    assert isinstance(value, ir.Assign) and isinstance(value.value, ir.Unknown)
    concat = _parse(f"x = '' + {chain};").body[0]
    assert isinstance(concat, ir.Assign) and isinstance(concat.value, ir.StrBuild)


def test_parsing_never_runs_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    monkeypatch.setenv("SLSGUARD_MARKER", str(marker))
    module = parse_js_source((FIXTURES / "marker.js").read_text(), "marker.js")
    assert exported_functions(module) == {"handler": "handler"}
    assert not marker.exists()


def test_tree_sitter_is_imported_lazily() -> None:
    code = (
        "import sys, slsguard.code.js_frontend as m; assert 'tree_sitter' not in sys.modules;"
        "m.parse_javascript('x = 1', 'a.js'); assert 'tree_sitter' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
