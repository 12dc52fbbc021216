#!/usr/bin/env python3
"""Write N synthetic `patchlevel -f jsonl` result lines for a fleet, to test
and look at `patchlevel summarize`: servers with identity, roles and
provenance as results carry them since issue 14 (computer and DNS name,
domain or workgroup, domain controllers with AD DS and DNS, web servers,
file servers), a few older results without those keys, roles null (not
determined) and [] (none found), inputs that failed and inputs without
Windows. The same N gives the same lines (a fixed seed).

Usage: make-fleet.py N [--hostile] > results.jsonl
  --hostile  also one result whose strings are markup, quotes and control
             characters wherever an image supplies them (computer name
             <img src=x onerror=...>, a role </script><script>...).
"""
import json
import random
import sys

MONTHS = ["2019-03", "2019-10", "2020-06", "2021-01", "2022-05", "2022-11", "2023-01", "2024-07",
          "2025-02"]
DOMAINS = ["corp.example", "branch.example", "lab.example"]
PROV = {
    "tool": {"name": "patchlevel", "version": "0.9.0"},
    "libraries": {"wimlib": "1.14.4", "hivex": "1.3.23", "libxml2": "2.9.14", "libtsk": "4.12.0"},
    "catalog": {"path": "/usr/share/patchlevel/catalog.csv",
                "sha256": "3f1c9a0e5b7d2c4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e",
                "newest": "2025-02"},
    "options": {"catalog": None, "parents": [], "find_6002_checks": False, "hash": False},
}


def role(name):
    return {"name": name, "evidence": [{"hive": "SOFTWARE", "key": "Microsoft\\ServerManager",
                                        "value": None, "data": None}]}


def identity(rng, i, kind):
    name = "SRV-%04d" % i if kind != "dc" else "DC-%02d" % i
    workgroup = kind == "workgroup"
    domain = None if workgroup else rng.choice(DOMAINS)
    return {"computer_name": name, "dns_hostname": name.lower(),
            "domain": domain, "membership": "workgroup" if workgroup else "domain",
            "workgroup": None, "domain_controller": kind == "dc",
            "ip_addresses": [{"address": "10.0.%d.%d" % (i // 250, i % 250 + 1), "kind": "static",
                              "interface": "{00000000-0000-0000-0000-%012d}" % i}],
            "time_zone": "W. Europe Standard Time", "evidence": []}


def roles(rng, kind):
    if kind == "dc":
        return [role("Active Directory Domain Services"), role("DNS Server")]
    pick = rng.random()
    if pick < 0.05:
        return None                         # not determined
    if pick < 0.15:
        return []                           # none found
    names = rng.sample(["Web Server (IIS)", "File Services", "DHCP Server", "Terminal Services",
                        "Print Services", "Application Server", "Hyper-V"], rng.randint(1, 3))
    return [role(n) for n in names]


def servicing(rng):
    month = rng.choice(MONTHS)
    behind = max(0, 46 - MONTHS.index(month) * 6 + rng.randint(-2, 2))
    verdict = "yes" if month >= "2019-10" else rng.choice(["no", "no", "inconsistent"])
    steps = []
    if rng.random() < 0.2:
        steps.append({"action": "reboot", "kb": None, "kind": None, "why": "KB4493471 waits"})
    if behind:
        if rng.random() < 0.4:
            steps.append({"action": "install", "kb": "KB5010452", "kind": "ssu", "why": "ssu"})
        steps.append({"action": "install", "kb": "KB5022340", "kind": "monthly-rollup",
                      "why": "newest rollup"})
    updates = {"latest_rollup": {"kb": "KB%d" % (4489880 + MONTHS.index(month)),
                                 "release_date": month + "-12"},
               "rollups_behind": behind,
               "security_level": {"month": month, "after": None, "kind": "monthly-rollup"},
               "channel": {"name": "esu" if month >= "2020-06" else "public"},
               "next_steps": steps}
    return verdict, updates, any(s["action"] == "reboot" for s in steps)


def installation(rng, i):
    kind = "dc" if i % 17 == 0 else "workgroup" if i % 11 == 0 else "member"
    verdict, updates, reboot = servicing(rng)
    inst = {"location": {"partition_scheme": "mbr", "partition_number": 1, "wim_image": None,
                         "windows_dir": "Windows"},
            "os": {"product_name": "Windows Server\u00ae 2008 " + rng.choice(
                       ["Standard", "Enterprise", "Datacenter"]),
                   "edition_id": "ServerEnterprise", "arch": rng.choice(["amd64", "amd64", "x86"])},
            "build6003": {"verdict": verdict, "pending_build": 6003 if reboot else None},
            "updates": updates,
            "pending": {"reboot_required": reboot, "signals": []}}
    if i % 20 != 7:                         # every 20th: an older result, no such keys
        inst["identity"] = identity(rng, i, kind)
        inst["roles"] = roles(rng, kind)
    return inst


def result(rng, i):
    line = {"schema": "patchlevel/1", "input": "/images/srv-%04d.vhdx" % i,
            "catalog": PROV["catalog"]}
    if i % 20 != 7:
        line["provenance"] = dict(PROV, analyzed_at="2026-12-0%dT%02d:%02d:00Z"
                                  % (1 + i % 5, i % 24, i % 60))
    if i % 37 == 5:
        line.update(installations=[], errors=["cannot open: Input/output error"])
    elif i % 53 == 9:
        line.update(installations=[], errors=[])    # no Windows on it
    else:
        line.update(installations=[installation(rng, i)], errors=[])
    return line


def hostile():
    inst = installation(random.Random(0), 1)
    inst["identity"]["computer_name"] = "<img src=x onerror=\"window.__owned=1;document.title='owned'\">"
    inst["identity"]["domain"] = "\"><b>corp</b>\u0007\u001b[2J"
    inst["roles"] = [role("</script><script>window.__owned=2</script>"), role("=cmd|' /C calc'!A0")]
    return {"schema": "patchlevel/1", "input": "<i>hostile</i>'\".vhd",
            "provenance": dict(PROV, tool="<script>window.__owned=3</script>"),
            "installations": [inst], "errors": []}


def main():
    if len(sys.argv) < 2 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    rng = random.Random(14)
    out = sys.stdout
    for i in range(1, int(sys.argv[1]) + 1):
        out.write(json.dumps(result(rng, i), ensure_ascii=False) + "\n")
    if "--hostile" in sys.argv[2:]:
        out.write(json.dumps(hostile(), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
