"""The API reference as one HTML page, rendered from the OpenAPI document (no script, no CDN)."""
from html import escape

STYLE = """
body{font:15px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:2px solid #b22;padding-bottom:.2rem;margin-top:2.5rem}
.op{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5rem;font-weight:700;color:#fff;border-radius:4px;text-align:center;margin-right:.5rem}
.GET{background:#2a7}.POST{background:#27b}.PATCH{background:#b72}.DELETE{background:#b22}
code{background:#f4f4f4;padding:0 .25rem}table{border-collapse:collapse;margin:.4rem 0}
td,th{border:1px solid #ddd;padding:.15rem .5rem;text-align:left;vertical-align:top}
.roles{color:#555}
"""


def schema_name(schema):
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {schema_name(schema.get('items', {})) or schema['items'].get('type', '')}"
    return schema.get("type", "object")


def render_operation(method, path, op):
    parts = [f'<div class="op" id="{escape(op["operationId"])}"><span class="m {method.upper()}">'
             f'{method.upper()}</span><code>{escape(path)}</code><p>{escape(op.get("summary", ""))}</p>']
    if op.get("description"):
        parts.append(f'<p class="roles">{escape(op["description"])}</p>')
    params = op.get("parameters", [])
    if params:
        rows = "".join(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
            f"<td>{'required' if p.get('required') else ''}</td><td>{escape(schema_name(p.get('schema', {})))}"
            f"{' — ' + escape(', '.join(map(str, p['schema']['enum']))) if 'enum' in p.get('schema', {}) else ''}"
            f"</td></tr>" for p in params)
        parts.append(f"<table><tr><th>parameter</th><th>in</th><th></th><th>type</th></tr>{rows}</table>")
    body = op.get("requestBody")
    if body:
        media, spec = next(iter(body["content"].items()))
        parts.append(f"<p>Body ({escape(media)}): <a href=\"#schema-{escape(schema_name(spec['schema']))}\">"
                     f"{escape(schema_name(spec['schema']))}</a></p>")
    replies = []
    for status, reply in op["responses"].items():
        name = ""
        if "content" in reply:
            media, spec = next(iter(reply["content"].items()))
            name = schema_name(spec["schema"]) if media == "application/json" else media
        label = reply.get("description") or reply.get("$ref", "").rsplit("/E", 1)[-1]
        replies.append(f"<tr><td>{escape(status)}</td><td>{escape(name)}</td><td>{escape(label)}</td></tr>")
    parts.append(f"<table><tr><th>status</th><th>body</th><th></th></tr>{''.join(replies)}</table></div>")
    return "".join(parts)


def render_schema(name, schema):
    required = set(schema.get("required", []))
    rows = "".join(
        f"<tr><td><code>{escape(field)}</code></td><td>{escape(schema_name(spec) or '')}</td>"
        f"<td>{'required' if field in required else ''}{' · may be null' if spec.get('nullable') else ''}</td>"
        f"<td>{escape(', '.join(map(str, spec.get('enum', []))))}</td></tr>"
        for field, spec in schema.get("properties", {}).items())
    return (f'<h3 id="schema-{escape(name)}">{escape(name)}</h3><p>{escape(schema.get("description", ""))}</p>'
            f"<table><tr><th>field</th><th>type</th><th></th><th>values</th></tr>{rows}</table>")


def render(document):
    info = document["info"]
    by_tag = {}
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            by_tag.setdefault(op["tags"][0], []).append(render_operation(method, path, op))
    errors = "".join(f"<tr><td>{escape(key[1:])}</td><td>{escape(r['description'])}</td></tr>"
                     for key, r in document["components"]["responses"].items())
    sections = "".join(f"<h2>{escape(tag)}</h2>{''.join(ops)}" for tag, ops in by_tag.items())
    schemas = "".join(render_schema(name, schema)
                      for name, schema in sorted(document["components"]["schemas"].items()))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(info["title"])}'
            f"</title><style>{STYLE}</style></head><body><h1>{escape(info['title'])} {escape(info['version'])}"
            f"</h1><p>{escape(info.get('description', ''))}</p><p>The machine-readable document: "
            f'<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p><h2>Errors</h2><table>{errors}</table>'
            f"{sections}<h2>Schemas</h2>{schemas}</body></html>")
