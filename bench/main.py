"""Runs the benchmark sections, prints each figure as it comes, then a summary."""
import argparse
import logging
import sys
import time
import traceback

from bench import (
    association,
    gateway,
    ledger,
    memory,
    nomination,
    operations,
    registry,
    relay,
    rpc,
    volunteer,
    welfare,
)
from bench.broker import ManagementApi, Vhost
from bench.report import table

RELAY_AIM = 1000.0  # events/s
MEMORY_AIM_MB = 120.0
IMPORT_AIM_S = 20.0         # 20,000 honourees, dry run and real run each
SEARCH_P99_AIM_MS = 50.0    # at the service, over 20,000 records
GET_MANY_P50_AIM_MS = 20.0  # 100 ids in one RPC
GATEWAY_P50_AIM_MS = 15.0   # one honouree over HTTP through the gateway, 20 clients
GATEWAY_P99_AIM_MS = 60.0
GATEWAY_RATE_AIM = 150.0    # requests/s
RATIOS_P99_AIM_MS = 100.0   # structure_ratios over a campaign of 2,000 nominations, over RPC
CONFERRAL_AIM_S = 30.0      # 500 conferrals until their honours are all in the registry


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--amqp-uri", required=True, help="amqp://user:password@host:port/")
    parser.add_argument("--rabbit-ctl-uri", required=True,
                        help="the management API, http://user:password@host:port")
    parser.add_argument("--events", type=int, default=5000, help="outbox rows to relay (5000)")
    parser.add_argument("--calls", type=int, default=1000, help="sequential RPC calls per client (1000)")
    parser.add_argument("--idle", type=float, default=3.0, help="idle seconds before reading memory (3)")
    parser.add_argument("--honourees", type=int, default=20_000,
                        help="honourees the registry section imports and searches (20000)")
    parser.add_argument("--only", choices=("relay", "rpc", "memory", "registry", "gateway", "nomination", "welfare",
                                           "ledger", "association", "volunteer", "operations"),
                        action="append",
                        help="run only these sections (repeatable)")
    return parser.parse_args(argv)


def say(text=""):
    print(text, flush=True)


def section(title):
    say()
    say(f"== {title}")


def run_relay(api, args, results):
    section(f"1. Outbox relay throughput ({args.events} events, SQLite, publisher confirms)")
    with Vhost(api, args.amqp_uri, "relay") as vhost:
        say(f"   vhost {vhost.name}")
        r = relay.run(vhost.amqp_uri, events=args.events)
    results["relay"] = r
    say(f"   outbox rows written     {r['events']} in {r['write_seconds']:.2f} s "
        f"({r['write_events_per_s']:,.0f} events/s, {relay.WRITE_BATCH} per unit of work)")
    say(f"   published and marked    {r['settled']} in {r['seconds']:.2f} s, "
        f"{r['batches']} publish_pending() calls of up to {r['batch_size']}")
    say(f"   relay throughput        {r['events_per_s']:,.0f} events/s  (aim >= {RELAY_AIM:,.0f} events/s)")
    say(f"   check: {r['queued']} messages on the bound queue, {r['unroutable']} unroutable")
    say(f"   for scale: bare pika, one publish per confirm, no database: "
        f"{r['ceiling_per_s']:,.0f} messages/s ({relay.CEILING_MESSAGES} messages)")


def run_rpc(api, args, results):
    section(f"2. RPC round trip, {args.calls} sequential calls each (after 50 warm-up calls)")
    with Vhost(api, args.amqp_uri, "rpc") as vhost:
        say(f"   vhost {vhost.name}")
        chassis = rpc.chassis_round_trips(vhost.amqp_uri, calls=args.calls)
        results["rpc_chassis"] = chassis
        say("   chassis (nameko ServiceContainer + ClusterRpcProxy, LaomoService @rpc echo)")
        say(f"     median {chassis['median_ms']:.2f} ms   p99 {chassis['p99_ms']:.2f} ms   "
            f"mean {chassis['mean_ms']:.2f} ms   max {chassis['max_ms']:.2f} ms")
        bare = rpc.pika_round_trips(vhost.amqp_uri, calls=args.calls)
        results["rpc_pika"] = bare
        say("   bare pika (BlockingConnection client, consumer in a separate process)")
        say(f"     median {bare['median_ms']:.2f} ms   p99 {bare['p99_ms']:.2f} ms   "
            f"mean {bare['mean_ms']:.2f} ms   max {bare['max_ms']:.2f} ms")
        say(f"   chassis / bare pika, median: {chassis['median_ms'] / bare['median_ms']:.1f}x")


def run_memory(api, args, results):
    section(f"3. Resident memory at idle (scripts/suite.sh start, then {args.idle:g} s idle)")
    with Vhost(api, args.amqp_uri, "suite") as vhost:
        say(f"   vhost {vhost.name}")
        m = memory.run(vhost.amqp_uri, idle_seconds=args.idle)
    results["memory"] = m
    say(f"   suite ready in {m['start_seconds']:.1f} s (migrate, declare, start, /readyz)")
    for name, p in m["processes"].items():
        say(f"   {name:<12} pid {p['pid']:<8} VmRSS {p['rss_mb']:6.1f} MB   (peak VmHWM {p['peak_mb']:6.1f} MB)")
    say(f"   aim: <= {MEMORY_AIM_MB:.0f} MB each")


def run_registry(api, args, results):
    section(f"4. Registry at {args.honourees:,} honourees (SQLite file, WAL; service methods)")
    with Vhost(api, args.amqp_uri, "registry") as vhost:
        say(f"   vhost {vhost.name}")
        r = registry.run(vhost.amqp_uri, honourees=args.honourees)
    results["registry"] = r
    say(f"   synthetic CSV           {r['rows']:,} rows ({r['honourees']:,} people, {r['honours']:,} honours), "
        f"{r['csv_mb']:.1f} MB UTF-8, {r['units']} units")
    say(f"   import, dry run         {r['dry_run_s']:.2f} s  (aim <= {IMPORT_AIM_S:.0f} s)")
    say(f"   import, real run        {r['import_s']:.2f} s  (aim <= {IMPORT_AIM_S:.0f} s; "
        f"{r['outbox_events']:,} events, {r['audit_rows']:,} audit rows written)")
    s = r["search"]
    say(f"   search, at the service  {s['calls']} calls over {s['queries']} queries, "
        f"mean {s['mean_items']:.0f} records a page")
    say(f"     median {s['median_ms']:.2f} ms   p99 {s['p99_ms']:.2f} ms   mean {s['mean_ms']:.2f} ms   "
        f"max {s['max_ms']:.2f} ms  (aim p99 <= {SEARCH_P99_AIM_MS:.0f} ms)")
    g = r["get_many"]
    say(f"   get many (100 ids), one RPC each, {g['calls']} calls")
    say(f"     median {g['median_ms']:.2f} ms   p99 {g['p99_ms']:.2f} ms   mean {g['mean_ms']:.2f} ms   "
        f"max {g['max_ms']:.2f} ms  (aim median <= {GET_MANY_P50_AIM_MS:.0f} ms)")
    say(f"   statistics, city-wide   {r['statistics_s'] * 1000:.0f} ms at the service (team size {r['team_size']:,})")
    say(f"   export, city-wide       {r['export_s']:.2f} s at the service ({r['export_rows']:,} rows)")


def say_load(r):
    say(f"     p50 {r['median_ms']:.2f} ms   p99 {r['p99_ms']:.2f} ms   mean {r['mean_ms']:.2f} ms   "
        f"max {r['max_ms']:.2f} ms   {r['requests_per_s']:,.0f} req/s  "
        f"({r['calls']:,} latencies over {r['seconds']:.1f} s, {r['errors']} errors)")
    if r["errors"]:
        say(f"     errors, e.g.: {'; '.join(r['error_examples'])}")
    if r["not_sent"]:
        say(f"     OVERLOADED: about {r['not_sent']:,} requests due in the window were never sent")
    shown = [name for name, used in r["cpu_cores"].items()
             if used >= 0.02 or name in ("generator", "others")]  # idle services left out
    cpu = ", ".join(f"{name} {r['cpu_cores'][name] * 100:.0f}% ({r['cpu_ms_per_request'][name]:.2f} ms/req)"
                    for name in shown)
    say(f"     CPU, % of one core (ms per request): {cpu}")
    ours = sum(ms for name, ms in r["cpu_ms_per_request"].items() if name != "others")
    say(f"     CPU of the bench's processes: {ours:.1f} ms a request, so at most "
        f"{r['cores'] * 1000 / ours:,.0f} req/s on {r['cores']} cores with nothing else running")
    others = r["cpu_cores"]["others"]
    note = f"  -- CONTENDED: processes not the bench's used {others * 100:.0f}% of a core" if others >= 0.1 else ""
    say(f"     machine {r['machine_busy'] * 100:.0f}% busy of {r['cores']} cores{note}")


def run_gateway(api, args, results):
    section(f"5. GET one honouree over HTTP through the gateway, {gateway.CLIENTS} clients "
            f"({gateway.WARMUP_SECONDS:g} s warm-up, then {gateway.SECONDS:g} s)")
    with Vhost(api, args.amqp_uri, "gateway") as vhost:
        say(f"   vhost {vhost.name}")
        r = gateway.run(vhost.amqp_uri)
    results["gateway"] = r
    say(f"   suite ready in {r['start_seconds']:.1f} s; {r['honourees']} honourees imported by a city officer "
        f"(personal-data right: ID numbers in clear)")
    aims = (f"(aim p50 <= {GATEWAY_P50_AIM_MS:.0f} ms, p99 <= {GATEWAY_P99_AIM_MS:.0f} ms, "
            f">= {GATEWAY_RATE_AIM:.0f} req/s)")
    bare = ("bare nameko hop  GET /hop/<n>: @http -> one RpcProxy call -> @rpc returning a small dict "
            "(two nameko run processes)")
    for key, title in (("gateway", "gateway  GET /api/v1/honourees/<id>, bearer token, keep-alive"),
                       ("bare", bare)):
        say(f"   {title}")
        say("   1 client, back to back")
        say_load(r[f"{key}_single"])
        say(f"   {r[key]['clients']} clients, back to back{'  ' + aims if key == 'gateway' else ''}")
        say_load(r[key])
        paced = r[f"{key}_paced"]
        say(f"   {paced['clients']} clients offering {paced['offered_per_s']:.0f} req/s together "
            f"(random intervals; latency from when each request was due)")
        say_load(paced)
    g, b = r["gateway"], r["bare"]
    extra = r["gateway_single"]["median_ms"] - r["bare_single"]["median_ms"]
    say(f"   gateway / bare hop: 1 client p50 {extra:+.2f} ms; {g['clients']} clients back to back: "
        f"throughput {g['requests_per_s'] / b['requests_per_s']:.2f}x, "
        f"CPU per request {cpu_per_request(g, 'gateway', 'registry'):.1f} ms (gateway + registry) vs "
        f"{cpu_per_request(b, 'hop_front', 'hop_back'):.1f} ms (front + back)")
    say("   back to back, p50 is about clients / throughput (Little's law): a p50 of "
        f"{GATEWAY_P50_AIM_MS:.0f} ms at {gateway.CLIENTS} clients needs "
        f"{gateway.CLIENTS / GATEWAY_P50_AIM_MS * 1000:,.0f} req/s; the paced run checks the latency at the "
        "target rate")
    say("   the load generator runs in the bench process (green threads) on the same cores as the "
        "services and the broker")


def run_nomination(api, args, results):
    section(f"6. Nomination: structure ratios over {nomination.NOMINATIONS:,} nominations; "
            f"{nomination.CONFERRALS} conferrals into the registry")
    with Vhost(api, args.amqp_uri, "nomination") as vhost:
        say(f"   vhost {vhost.name}")
        r = nomination.run(vhost.amqp_uri)
    results["nomination"] = r
    say(f"   setup (not timed as a figure): {r['units']} units; campaign A {r['nominations']:,} nominations "
        f"in {r['setup_ratio_s']:.1f} s, campaign B {r['conferral']['candidates']} through every step "
        f"in {r['setup_conferral_s']:.1f} s; registry + nomination (nameko run) up in {r['start_seconds']:.1f} s")
    q = r["ratios"]
    say(f"   structure_ratios over RPC (ClusterRpcProxy -> nomination -> registry.scope_of), {q['calls']} calls")
    say(f"     p50 {q['median_ms']:.2f} ms   p99 {q['p99_ms']:.2f} ms   mean {q['mean_ms']:.2f} ms   "
        f"max {q['max_ms']:.2f} ms  (aim p99 <= {RATIOS_P99_AIM_MS:.0f} ms)")
    for each in q["queries"]:
        say(f"     {each['who']:<11} {each['basis']:<5} ({each['total']:>5} on it)  p50 {each['median_ms']:.2f} ms"
            f"   p99 {each['p99_ms']:.2f} ms")
    say(f"     for scale: registry.scope_of alone over RPC, p50 {q['scope_of']['median_ms']:.2f} ms")
    c = r["conferral"]
    say(f"   conferral: {c['candidates']} confer RPCs, {c['clients']} at a time, until the registry holds "
        f"every honour")
    say(f"     all {c['entered']} honours in the registry after {c['seconds']:.2f} s "
        f"({c['per_s']:.1f} honours/s)  (aim <= {CONFERRAL_AIM_S:.0f} s)"
        + ("" if c["complete"] else f"  -- INCOMPLETE after {nomination.CONFER_TIMEOUT:.0f} s"))
    say(f"     confer RPCs all answered after {c['confer_seconds']:.2f} s ({c['confers_per_s']:.1f}/s; "
        f"each p50 {c['confer_latency']['median_ms']:.0f} ms, p99 {c['confer_latency']['p99_ms']:.0f} ms); "
        f"first honour seen at {c['first_seen_s']:.2f} s, half at {c['half_s']:.2f} s")
    if c["errors"]:
        say(f"     {c['errors']} confer errors, e.g.: {'; '.join(c['error_examples'])}")


def cpu_per_request(r, *names):
    return sum(r["cpu_ms_per_request"].get(name, 0.0) for name in names)


def verdict(ok):
    return "yes" if ok else "NO"


def summary(results, errors):
    rows = []
    r = results.get("relay")
    if r:
        rows.append(("Outbox relay throughput", f"{r['events_per_s']:,.0f}", "events/s",
                     f">= {RELAY_AIM:,.0f}", verdict(r["events_per_s"] >= RELAY_AIM)))
        rows.append(("  (bare pika, one publish per confirm)", f"{r['ceiling_per_s']:,.0f}", "messages/s",
                     "", ""))
    c, b = results.get("rpc_chassis"), results.get("rpc_pika")
    if c:
        rows.append(("RPC round trip, chassis, median", f"{c['median_ms']:.2f}", "ms", "", ""))
        rows.append(("RPC round trip, chassis, p99", f"{c['p99_ms']:.2f}", "ms", "", ""))
    if b:
        rows.append(("RPC round trip, bare pika, median", f"{b['median_ms']:.2f}", "ms", "", ""))
        rows.append(("RPC round trip, bare pika, p99", f"{b['p99_ms']:.2f}", "ms", "", ""))
    m = results.get("memory")
    if m:
        for name, p in m["processes"].items():
            rows.append((f"Idle RSS, {name}", f"{p['rss_mb']:.1f}", "MB",
                         f"<= {MEMORY_AIM_MB:.0f}", verdict(p["rss_mb"] <= MEMORY_AIM_MB)))
    g = results.get("registry")
    if g:
        n = f"{g['honourees'] // 1000}k" if g["honourees"] % 1000 == 0 else f"{g['honourees']:,}"
        rows.append((f"Import {n} honourees, dry run", f"{g['dry_run_s']:.2f}", "s",
                     f"<= {IMPORT_AIM_S:.0f}", verdict(g["dry_run_s"] <= IMPORT_AIM_S)))
        rows.append((f"Import {n} honourees, real run", f"{g['import_s']:.2f}", "s",
                     f"<= {IMPORT_AIM_S:.0f}", verdict(g["import_s"] <= IMPORT_AIM_S)))
        rows.append((f"Search over {n}, at the service, p99", f"{g['search']['p99_ms']:.2f}", "ms",
                     f"<= {SEARCH_P99_AIM_MS:.0f}", verdict(g["search"]["p99_ms"] <= SEARCH_P99_AIM_MS)))
        rows.append(("  (search, median)", f"{g['search']['median_ms']:.2f}", "ms", "", ""))
        rows.append(("Get many, 100 ids, one RPC, median", f"{g['get_many']['median_ms']:.2f}", "ms",
                     f"<= {GET_MANY_P50_AIM_MS:.0f}",
                     verdict(g["get_many"]["median_ms"] <= GET_MANY_P50_AIM_MS)))
        rows.append(("  (get many, p99)", f"{g['get_many']['p99_ms']:.2f}", "ms", "", ""))
        rows.append((f"Statistics over {n}, city-wide", f"{g['statistics_s'] * 1000:.0f}", "ms", "", ""))
        rows.append((f"Export of {n}, city-wide", f"{g['export_s']:.2f}", "s", "", ""))
    w = results.get("gateway")
    if w:
        g, b = w["gateway"], w["bare"]
        rows.append((f"Gateway GET honouree, {g['clients']} clients, p50", f"{g['median_ms']:.2f}", "ms",
                     f"<= {GATEWAY_P50_AIM_MS:.0f}", verdict(g["median_ms"] <= GATEWAY_P50_AIM_MS)))
        rows.append((f"Gateway GET honouree, {g['clients']} clients, p99", f"{g['p99_ms']:.2f}", "ms",
                     f"<= {GATEWAY_P99_AIM_MS:.0f}", verdict(g["p99_ms"] <= GATEWAY_P99_AIM_MS)))
        rows.append((f"Gateway GET honouree, {g['clients']} clients", f"{g['requests_per_s']:,.0f}", "req/s",
                     f">= {GATEWAY_RATE_AIM:.0f}", verdict(g["requests_per_s"] >= GATEWAY_RATE_AIM)))
        rows.append(("  (bare nameko HTTP->RPC hop, p50)", f"{b['median_ms']:.2f}", "ms", "", ""))
        rows.append(("  (bare nameko HTTP->RPC hop, p99)", f"{b['p99_ms']:.2f}", "ms", "", ""))
        rows.append(("  (bare nameko HTTP->RPC hop)", f"{b['requests_per_s']:,.0f}", "req/s", "", ""))
        p, q = w["gateway_paced"], w["bare_paced"]
        rate = f"{p['offered_per_s']:.0f} req/s offered"
        rows.append((f"Gateway GET honouree, {rate}, p50", f"{p['median_ms']:.2f}", "ms",
                     f"<= {GATEWAY_P50_AIM_MS:.0f}", verdict(p["median_ms"] <= GATEWAY_P50_AIM_MS)))
        rows.append((f"Gateway GET honouree, {rate}, p99", f"{p['p99_ms']:.2f}", "ms",
                     f"<= {GATEWAY_P99_AIM_MS:.0f}", verdict(p["p99_ms"] <= GATEWAY_P99_AIM_MS)))
        rows.append((f"  (bare nameko hop, {rate}, p50)", f"{q['median_ms']:.2f}", "ms", "", ""))
        rows.append((f"  (bare nameko hop, {rate}, p99)", f"{q['p99_ms']:.2f}", "ms", "", ""))
        rows.append(("Gateway GET honouree, 1 client, p50", f"{w['gateway_single']['median_ms']:.2f}", "ms",
                     "", ""))
        rows.append(("  (bare nameko hop, 1 client, p50)", f"{w['bare_single']['median_ms']:.2f}", "ms", "", ""))
        others = max(w[k]["cpu_cores"]["others"] for k in ("gateway", "gateway_paced", "bare", "bare_paced"))
        if others >= 0.1:
            rows.append(("  (CONTENDED: other processes used, at most)", f"{others * 100:.0f}", "% of a core",
                         "", ""))
    n = results.get("nomination")
    if n:
        q, c = n["ratios"], n["conferral"]
        rows.append((f"Structure ratios, {n['nominations']:,} nominations, RPC, p99", f"{q['p99_ms']:.2f}", "ms",
                     f"<= {RATIOS_P99_AIM_MS:.0f}", verdict(q["p99_ms"] <= RATIOS_P99_AIM_MS)))
        rows.append(("  (structure ratios, p50)", f"{q['median_ms']:.2f}", "ms", "", ""))
        rows.append((f"Conferral of {c['candidates']}, until all in the registry", f"{c['seconds']:.2f}", "s",
                     f"<= {CONFERRAL_AIM_S:.0f}", verdict(c["complete"] and c["seconds"] <= CONFERRAL_AIM_S)))
        rows.append(("  (conferral, honours entered)", f"{c['per_s']:.1f}", "honours/s", "", ""))
    rows += welfare.summary_rows(results, verdict)
    rows += ledger.summary_rows(results, verdict)
    rows += association.summary_rows(results, verdict)
    rows += volunteer.summary_rows(results, verdict)
    rows += operations.summary_rows(results, verdict)
    for name, message in errors.items():
        rows.append((f"{name}: NOT MEASURED", message.splitlines()[0][:60], "", "", ""))
    section("Summary")
    say(table(("figure", "value", "unit", "aim", "meets aim"), rows))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    api = ManagementApi(args.rabbit_ctl_uri)
    sections = {"relay": run_relay, "rpc": run_rpc, "memory": run_memory, "registry": run_registry,
                "gateway": run_gateway, "nomination": run_nomination, "welfare": welfare.section,
                "ledger": ledger.section, "association": association.section,
                "volunteer": volunteer.section, "operations": operations.section}
    wanted = args.only or list(sections)
    results, errors = {}, {}
    started = time.perf_counter()
    say(f"laomo bench: broker {args.amqp_uri}, management {api.base}")
    for name in sections:
        if name not in wanted:
            continue
        try:
            sections[name](api, args, results)
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
            say(f"   FAILED: {errors[name]}")
            traceback.print_exc()
    summary(results, errors)
    say(f"\nbench took {time.perf_counter() - started:.0f} s")
    return 1 if errors else 0
