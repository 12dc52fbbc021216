/* Unit tests for the 6002 rules and text reader (src/evidence/compat6002_rules.c,
 * compat6002_text.c): real-looking lines of batch, PowerShell, VBScript,
 * JScript, AutoIt, KiXtart, WQL, MSI conditions, INI, XML, JSON and .reg
 * files, written after the public examples of "how to detect Server 2008
 * SP2", each with the class it must get. The false-positive cases (ports,
 * error codes, GUIDs, KB numbers, other products' versions, comments, a
 * .reg export of the OS's own CurrentVersion) matter as much as the hits. */
#include "evidence/compat6002.h"
#include "util/limits.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../check_main.h"

typedef struct {
    const char *line;
    pl_c6_class want;
} snippet;

#define E PL_C6_EXACT
#define L PL_C6_VERSION_LIST
#define M PL_C6_MENTION
#define N PL_C6_NONE

static const snippet snippets[] = {
    /* ---- exact-build-test: batch ---- */
    {"ver | find \"6002\" > nul", E},
    {"ver | findstr /i \"6.0.6002\" >nul && goto win2008sp2", E},
    {"ver | findstr /c:\"Version 6.0.6002\" >nul", E},
    {"if \"%VERSION%\" == \"6.0.6002\" goto win2008", E},
    {"if %BUILD% EQU 6002 goto sp2", E},
    {"if \"%OSBUILD%\"==\"6002\" (", E},
    {"if not \"%OS_BUILD%\"==\"6002\" exit /b 1", E},
    {"for /f \"tokens=4 delims=[.] \" %%a in ('ver') do if %%a==6002 goto sp2", E},
    {"if %BUILD% GTR 6002 goto newer", E},
    {"set EXPECTED_BUILD=6002", E},
    /* ---- exact-build-test: PowerShell ---- */
    {"if ((Get-WmiObject Win32_OperatingSystem).BuildNumber -eq 6002) {", E},
    {"if ([Environment]::OSVersion.Version.Build -eq 6002) {", E},
    {"if ($os.Version -eq '6.0.6002') {", E},
    {"if ($os.Version -like \"6.0.6002*\") { $legacy = $true }", E},
    {"if ($osver -match \"6002\") {", E},
    {"if ($os.Version -match '^6\\.0\\.6002') {", E},
    {"    $isSp2 = (Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion').CurrentBuildNumber -eq '6002'", E},
    {"if (\"6002\" -eq $build) { Install-Legacy }", E},
    {"if ($build -le 6002) { $target = '2008' }", E},
    {"if ($build -gt 6002) { Write-Output 'R2 or later' }", E},
    {"if ($os.Version -ne \"6.0.6002\") { throw 'unsupported OS' }", E},
    {"if ((Get-CimInstance Win32_OperatingSystem).Version.StartsWith('6.0.6002')) {", E},
    {"$ver = \"6.0.6002\"", E},
    /* ---- exact-build-test: VBScript, JScript, WQL, AutoIt, KiXtart ---- */
    {"If objOS.BuildNumber = \"6002\" Then", E},
    {"If InStr(objOS.Version, \"6.0.6002\") > 0 Then", E},
    {"If strVer = \"6.0.6002\" Then WScript.Quit 0", E},
    {"if (shell.RegRead(\"HKLM\\\\SOFTWARE\\\\Microsoft\\\\Windows NT\\\\CurrentVersion\\\\CurrentBuildNumber\") == \"6002\") {", E},
    {"if (osBuild === 6002) {", E},
    {"if (ver.indexOf(\"6.0.6002\") != -1) {", E},
    {"Set colOS = objWMI.ExecQuery(\"SELECT * FROM Win32_OperatingSystem WHERE BuildNumber = '6002'\")", E},
    {"If @OSBuild = 6002 Then", E},
    {"IF @BUILD = \"6002\"", E},
    /* ---- exact-build-test: installer and application settings ---- */
    {"<Condition Message=\"Requires Windows Server 2008 SP2\"><![CDATA[VersionNT = 600 AND WindowsBuild = 6002]]></Condition>", E},
    {"SupportedBuild=6002", E},
    {"  <SupportedBuild>6002</SupportedBuild>", E},
    {"  \"SupportedOSBuild\": \"6002\",", E},
    {"\"MaxBuild\"=\"6002\"", E},
    {"<os version=\"6.0.6002\" />", E},
    {"if ((Get-WmiObject -Class Win32_OperatingSystem).Version -eq \"6.0.6002\") {", E},
    {"ver | findstr /r /c:\"Version 6\\.0\\.6002\" >nul", E},
    {"systeminfo | findstr /B /C:\"OS Version\" | findstr \"6002\" >nul", E},
    {"wmic os get buildnumber | find \"6002\" >nul", E},
    {"reg query \"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\" /v CurrentBuildNumber | find \"6002\"", E},
    {"If objItem.Version = \"6.0.6002\" Then", E},
    {"    Case \"6.0.6002\"", E},
    {"If @OSBuild <> 6002 Then Exit", E},
    {"  \"osBuild\": \"6002\",", E},
    {"    <add key=\"RequiredBuild\" value=\"6002\" />", E},
    /* ---- version-list ---- */
    {"$supported = @(\"6001\", \"6002\", \"7600\", \"7601\")", L},
    {"Case \"6001\", \"6002\"", L},
    {"  <SupportedBuilds>6001;6002;7601</SupportedBuilds>", L},
    {"if ($build -in 6001,6002,7601) {", L},
    {"set BUILDS=6000 6001 6002", L},
    {"  {$_ -in \"6001\",\"6002\"} { '2008' }", L},
    {"var supported = [\"6.0.6001\", \"6.0.6002\", \"6.1.7601\"];", L},
    {"switch ((gwmi win32_operatingsystem).BuildNumber) { 6002 { '2008 SP2' } 7601 { '2008 R2 SP1' } }", L},
    {"    <add key=\"SupportedOsBuilds\" value=\"6001,6002,7600,7601\" />", L},
    /* ---- mention: a test 6003 passes as 6002 does ---- */
    {"if ($build -ge 6002) {", M},
    {"if %BUILD% GEQ 6002 goto ok", M},
    {"if ([int]$build -lt 6002) { throw 'needs SP2' }", M},
    {"if (build >= 6002) {", M},
    {"MinBuild=6002", M},
    {"  \"minOSBuild\": 6002,", M},
    {"    <add key=\"ListenPort\" value=\"6002\" />", M},
    /* known misses, kept as mentions on purpose (see the man page): a
     * switch label alone, a JavaScript regex literal */
    {"    6002 { $os = '2008 SP2' }", M},
    {"if (/6\\.0\\.6002/.test(ver)) {", M},
    {"<MinimumBuild>6002</MinimumBuild>", M},
    /* ---- mention: 6003 on the line already ---- */
    {"if ($build -eq 6002 -or $build -eq 6003) {", M},
    {"$supported = @(\"6001\",\"6002\",\"6003\",\"7601\")", M},
    {"if \"%VERSION%\" == \"6.0.6002\" goto w8 else if \"%VERSION%\" == \"6.0.6003\" goto w8", M},
    /* ---- mention: comments, messages, no test ---- */
    {"REM works on build 6002 only", M},
    {":: ver | find \"6002\"", M},
    {"# Tested on Windows Server 2008 SP2 (6.0.6002)", M},
    {"' Check for 6002 here", M},
    {"// if (build == 6002) disabled", M},
    {"<!-- build 6002 -->", M},
    {"echo Windows Server 2008 SP2 build 6002 detected", M},
    {"Write-Host \"Detected 6.0.6002\"", M},
    {"\"CurrentBuildNumber\"=\"6002\"", M},
    {"\"CurrentBuild\"=\"6002\"", M},
    /* a file's version, not a build a program expects */
    {"<assemblyIdentity type=\"win32\" name=\"Microsoft.Windows.Common-Controls\" version=\"6.0.6002.18005\" />", M},
    {"DriverVer=06/21/2006,6.0.6002.18005", M},
    {"if ($k.VersionInfo.FileVersion -eq \"6.0.6002.18005\") {", E},
    /* ---- mention: 6002 that is probably not a build, never a risk ---- */
    {"$port = 6002", M},
    {"if ($port -eq 6002) { Start-Listener }", M},
    {"if %ERRORLEVEL% EQU 6002 goto fail", M},
    {"$driver = \"6002\"", M},
    {"Listen 0.0.0.0:6002", M},
    {"echo 6002>count.txt", M},
    /* ---- not a build at all ---- */
    {"wusa.exe Windows6.0-KB956002-x64.msu /quiet", N},
    {"{12345678-6002-4abc-9def-0123456789ab}", N},
    {"if %ERRORLEVEL% == 0x80246002 goto wu_error", N},
    {"Version=3.1.6002.0", N},
    {"if ($server -eq \"srv6002\") {", N},
    {"timeout /t 16002", N},
    {"AssemblyVersion(\"2.0.6002.1\")", N},
    {"if (build == 60020) {", N},
    {"", N},
    {"no digits here", N},
};

START_TEST(snippet_classes)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof snippets / sizeof *snippets; i++) {
        const snippet *s = &snippets[i];
        pl_c6_class got = pl_c6_classify_line(s->line, strlen(s->line));
        if (got != s->want) {
            fprintf(stderr, "snippet %zu: %s\n  want %s, got %s\n", i, s->line,
                    s->want ? pl_c6_class_name(s->want) : "none", got ? pl_c6_class_name(got) : "none");
            bad++;
        }
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(settings)
{
    ck_assert_int_eq(pl_c6_classify_setting("SupportedBuild", "6002"), E);
    ck_assert_int_eq(pl_c6_classify_setting("SupportedBuild", " 6.0.6002 "), E);
    ck_assert_int_eq(pl_c6_classify_setting("TargetOSVersion", "6.0.6002"), E);
    ck_assert_int_eq(pl_c6_classify_setting("FileVersion", "6.0.6002.18005"), N);
    ck_assert_int_eq(pl_c6_classify_setting("MinBuild", "6002"), M);
    ck_assert_int_eq(pl_c6_classify_setting("CurrentBuildNumber", "6002"), M);
    ck_assert_int_eq(pl_c6_classify_setting("Port", "6002"), N);
    ck_assert_int_eq(pl_c6_classify_setting("SupportedBuild", "6003"), N);
    ck_assert_int_eq(pl_c6_classify_setting("SupportedBuild", "6001 6002"), N);
    ck_assert_int_eq(pl_c6_classify_setting("SupportedBuild", "16002"), N);
    ck_assert_int_eq(pl_c6_classify_setting(NULL, "6002"), N);
    ck_assert_int_eq(pl_c6_classify_setting("Build", NULL), N);
}
END_TEST

static char *decode(const char *data, size_t len)
{
    char *out = NULL;
    size_t n = 0;
    if (pl_c6_decode((const uint8_t *)data, len, &out, &n) != 0)
        return NULL;
    ck_assert_uint_eq(strlen(out), n);
    return out;
}

START_TEST(encodings)
{
    char *s = decode("\xEF\xBB\xBFver | find \"6002\"", 20);
    ck_assert_str_eq(s, "ver | find \"6002\"");
    free(s);
    s = decode("\xFF\xFEv\0e\0r\0", 8);
    ck_assert_str_eq(s, "ver");
    free(s);
    s = decode("\xFE\xFF\0v\0e\0r", 8);
    ck_assert_str_eq(s, "ver");
    free(s);
    s = decode("6\0000\0000\0002\0", 8);     /* UTF-16LE, no BOM */
    ck_assert_str_eq(s, "6002");
    free(s);
    s = decode("\0006\0000\0000\0002", 8);   /* UTF-16BE, no BOM */
    ck_assert_str_eq(s, "6002");
    free(s);
    s = decode("caf\xE9 \x80", 6);          /* ANSI (Windows-1252) */
    ck_assert_str_eq(s, "caf\xC3\xA9 \xE2\x82\xAC");
    free(s);
    s = decode("caf\xC3\xA9", 5);           /* UTF-8 stays */
    ck_assert_str_eq(s, "caf\xC3\xA9");
    free(s);
    ck_assert_ptr_null(decode("MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0", 16));
    ck_assert_ptr_null(decode("\x01\x02\x03\x04\x05\x06\x07\x08 if 6002", 16));
    ck_assert_ptr_null(decode("\xFF\xFEv\0\0\0r\0", 8));   /* a NUL unit */
}
END_TEST

START_TEST(lines_and_numbers)
{
    pl_compat6002 c = {0};
    const char *f = "@echo off\r\nREM 6002\r\nver | find \"6002\" >nul\r\nif errorlevel 1 goto end";
    int binary = -1;
    ck_assert_uint_eq(pl_c6_scan_bytes(&c, "a.cmd", (const uint8_t *)f, strlen(f), &binary), 2);
    ck_assert_int_eq(binary, 0);
    ck_assert_uint_eq(c.findings[0].line, 2);
    ck_assert_int_eq(c.findings[0].cls, M);
    ck_assert_uint_eq(c.findings[1].line, 3);
    ck_assert_int_eq(c.findings[1].cls, E);
    ck_assert_str_eq(c.findings[1].text, "ver | find \"6002\" >nul");
    ck_assert_uint_eq(pl_c6_risks(&c), 1);
    pl_compat6002_free(&c);
}
END_TEST

/* A line of megabytes: one pass, one finding, its text cut around the
 * match and bounded. */
START_TEST(endless_line)
{
    size_t n = 3u << 20;
    char *buf = malloc(n);
    memset(buf, 'x', n);
    for (size_t i = 0; i < n; i += 7)
        buf[i] = ' ';
    const char *tail = " ver | find \"6002\"";
    memcpy(buf + n - strlen(tail), tail, strlen(tail));
    pl_compat6002 c = {0};
    int binary = -1;
    ck_assert_uint_eq(pl_c6_scan_bytes(&c, "long.cmd", (const uint8_t *)buf, n, &binary), 1);
    ck_assert_int_eq(c.findings[0].cls, E);
    ck_assert_uint_eq(c.findings[0].line, 1);
    ck_assert_uint_le(strlen(c.findings[0].text), PL_MAX_C6_TEXT_BYTES + 6);
    ck_assert_ptr_nonnull(strstr(c.findings[0].text, "6002"));
    ck_assert(strncmp(c.findings[0].text, "...", 3) == 0);
    pl_compat6002_free(&c);
    free(buf);
}
END_TEST

/* A line of a million 6002s (and one of a million quotes): judged in
 * linear time, not one look back to the start per 6002. */
START_TEST(many_builds_on_one_line)
{
    size_t n = 4u << 20;
    char *buf = malloc(n);
    for (size_t i = 0; i + 5 <= n; i += 5)
        memcpy(buf + i, "6002 ", 5);
    memset(buf + n - (n % 5), ' ', n % 5);
    ck_assert_int_eq(pl_c6_classify_line(buf, n), M);
    for (size_t i = 0; i + 7 <= n; i += 7)
        memcpy(buf + i, "\"6002\" ", 7);
    memset(buf + n - (n % 7), ' ', n % 7);
    ck_assert_int_eq(pl_c6_classify_line(buf, n), M);
    free(buf);
}
END_TEST

START_TEST(findings_bounded)
{
    pl_compat6002 c = {0};
    for (int i = 0; i < PL_MAX_C6_FINDINGS + 10; i++)
        pl_c6_add(&c, "x", 1, "6002", 4, M);
    ck_assert_uint_eq(c.nfindings, PL_MAX_C6_FINDINGS);
    ck_assert_ptr_nonnull(c.limit);
    pl_compat6002_free(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compat6002");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, snippet_classes);
    tcase_add_test(tc, settings);
    tcase_add_test(tc, encodings);
    tcase_add_test(tc, lines_and_numbers);
    tcase_add_test(tc, endless_line);
    tcase_add_test(tc, many_builds_on_one_line);
    tcase_add_test(tc, findings_bounded);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
