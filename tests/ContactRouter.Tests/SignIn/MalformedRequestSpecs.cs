using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContactRouter.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace ContactRouter.Tests.SignIn;

/// <summary>
/// Issue 9's bad input: every endpoint the app maps (read from its own endpoint list) is sent a deterministic mix of
/// malformed requests — broken JSON, wrong types, huge numbers, nulls, deep nesting, control characters, long and
/// oversized values, wrong content types, odd route values, queries, headers, credentials and methods — mostly by a
/// client the endpoint's policy lets in (so the request reaches the endpoint's own checks), some by an anonymous or a
/// forbidden one. None may answer 5xx, and every 4xx of the API is a problem answer.
/// </summary>
public sealed class When_requests_are_malformed(ITestOutputHelper output) : RouterSpec
{
    private const int Seed = 20_261_123;
    private const int AtLeast = 1_000;

    private static readonly Person Anna = EndpointWorld.Anna;
    private static readonly Person Bram = EndpointWorld.Bram;
    private static readonly Person Lead = EndpointWorld.Lead;
    /// <summary>Sends the requests of the endpoints any member of staff may use, so signing out (DELETE /api/session) ends nobody else's session.</summary>
    private static readonly Person Zoe = Person.Agent("zoe");

    /// <summary>
    /// Who gets past each policy (EndpointWorld's table): the first are the senders of the requests a policy lets in;
    /// whoever is not listed is a forbidden sender. Zoe sends the requests any member of staff may make.
    /// </summary>
    private static readonly Dictionary<string, Person[]> Allowed = EndpointWorld.Allowed.ToDictionary(
        row => row.Key, row => row.Key == Policies.Staff ? [Zoe, .. row.Value] : row.Value);

    private static readonly Person[] Everyone = [Anna, Bram, Lead, Person.Reception, Person.Admin, Person.Exchange];

    private enum Sender { Allowed, Anonymous, Forbidden }

    /// <summary>One endpoint and method, as the app maps it.</summary>
    private sealed record Target(string Method, string Pattern, bool Anonymous, string? Policy, Type? BodyType, string[] Parameters, (string Name, Type Type)[] Query)
    {
        public bool TakesBody => Method is "POST" or "PUT" or "PATCH" or "DELETE";
    }

    /// <summary>One malformed request before it is sent.</summary>
    private sealed class Probe(string kind, Target target)
    {
        public string Kind { get; } = kind;
        public Target Target { get; } = target;
        public string Method { get; set; } = target.Method;
        public string Path { get; set; } = "";
        public string Query { get; set; } = "";
        public HttpContent? Content { get; set; }
        public List<(string Name, string Value)> Headers { get; } = [];
        public Sender Who { get; set; } = Sender.Allowed;
    }

    private Dictionary<string, string> _values = null!;
    private readonly Dictionary<Person, HttpClient> _clients = [];
    private HttpClient _anonymous = null!;

    [Fact]
    public async Task Should_never_answer_5xx_and_answer_every_api_refusal_as_a_problem()
    {
        var targets = Targets();
        var unknown = targets.Where(t => !t.Anonymous && (t.Policy is null || !Allowed.ContainsKey(t.Policy))).Select(t => $"{t.Method} {t.Pattern}: {t.Policy}").ToList();
        unknown.Should().BeEmpty("every endpoint's policy has a row in this test's table (RoleMatrixSpecs names the endpoint without one)");
        _values = await EndpointWorld.Arrange(_router, _http);
        _anonymous = _router.Anonymous();

        var random = new Random(Seed);
        var kinds = Kinds();
        var histogram = new SortedDictionary<int, int>();
        var wrong = new List<string>();
        var perEndpoint = targets.ToDictionary(t => t, _ => 0);
        var sent = 0;
        var notSent = 0;
        async Task Try(Probe probe)
        {
            var (client, who) = ClientFor(probe, random);
            var (status, problem) = await Send(client, probe);
            perEndpoint[probe.Target]++;
            if (status == NotSent)
            {
                notSent++;
                return;
            }
            sent++;
            histogram[status] = histogram.GetValueOrDefault(status) + 1;
            if (problem is not null)
                wrong.Add($"{probe.Kind}: {probe.Method} {Clip(probe.Path + probe.Query, 160)} as {who} ({probe.Target.Method} {probe.Target.Pattern}) → {status}: {problem}");
        }

        // First every edge value in every field of every body and in every query parameter the handlers read, each
        // alone in an otherwise fine request: values that parse are the ones that reach the endpoint's own logic.
        foreach (var target in targets)
        {
            foreach (var (name, type) in target.BodyType is null ? [] : Properties(target.BodyType))
            foreach (var edge in EdgeValues(name, type))
                await Try(new Probe("edge value in " + name, target)
                {
                    Path = PathOf(target, _ => null), Content = Json(Body(target, random, name, edge)),
                });
            foreach (var (name, type) in target.Query)
            foreach (var edge in EdgeQueries(name, type))
                await Try(new Probe("edge value in ?" + name, target)
                {
                    Path = PathOf(target, _ => null), Query = $"?{name}={edge}",
                    Content = target.TakesBody ? Json(Body(target, random, "", null)) : null,
                });
        }
        var swept = sent;

        // Then round after round of every kind on every endpoint, until there are enough.
        do
        {
            foreach (var target in targets)
            foreach (var (kind, make) in kinds)
            {
                var probe = new Probe(kind, target) { Path = PathOf(target, _ => null) };
                var roll = random.NextDouble();
                probe.Who = roll < 0.8 ? Sender.Allowed : roll < 0.9 ? Sender.Anonymous : Sender.Forbidden;
                make(probe, random);
                await Try(probe);
            }
        } while (sent < AtLeast);

        output.WriteLine($"Malformed requests: {sent.ToString("N0", CultureInfo.InvariantCulture)} on {targets.Count} endpoints — " +
                         string.Join(", ", histogram.Select(h => $"{h.Key}: {h.Value.ToString("N0", CultureInfo.InvariantCulture)}")));
        output.WriteLine($"  of which {swept.ToString("N0", CultureInfo.InvariantCulture)} edge values one field or query parameter at a time; {notSent} more with a NUL in the path " +
                         "were refused by the in-memory server before they were sent (Kestrel answers those 400 itself).");
        foreach (var line in wrong.Take(60)) output.WriteLine(line);

        wrong.Should().BeEmpty("no malformed request may answer 5xx, and every 4xx of the API is application/problem+json");
        sent.Should().BeGreaterThanOrEqualTo(AtLeast);
        perEndpoint.Values.Should().OnlyContain(n => n >= kinds.Count, "every endpoint got every kind of malformed request");
        // The mix reached every refusal it is meant to provoke: a generator that silently sent only valid (or only
        // anonymous) requests would pass the checks above without testing anything.
        histogram.Keys.Should().Contain([400, 401, 403, 404, 405, 413, 415]);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The endpoints

    private List<Target> Targets()
    {
        var endpoints = _router.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        return endpoints
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new Target(
                method,
                e.RoutePattern.RawText!.StartsWith('/') ? e.RoutePattern.RawText : "/" + e.RoutePattern.RawText,
                e.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(),
                e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType,
                e.RoutePattern.Parameters.Select(p => p.Name).ToArray(),
                QueryParameters(e, e.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase)))))
            // Signing out last in every round: it is the only request that ends a session.
            .OrderBy(t => t.Method == "DELETE" && t.Pattern == "/api/session" ? 1 : 0).ThenBy(t => t.Pattern, StringComparer.Ordinal).ThenBy(t => t.Method)
            .ToList();
    }

    /// <summary>The handler's parameters that bind from the query string: the simple ones that are not route values.</summary>
    private static (string Name, Type Type)[] QueryParameters(Endpoint endpoint, HashSet<string> route) =>
        endpoint.Metadata.GetMetadata<MethodInfo>()?.GetParameters()
            .Select(p => (Name: p.Name!, Type: Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType))
            .Where(p => !route.Contains(p.Name) && (p.Type == typeof(string) || p.Type.IsPrimitive || p.Type == typeof(DateOnly) || p.Type == typeof(DateTimeOffset)))
            .ToArray() ?? [];

    private string PathOf(Target target, Func<string, string?> bad) =>
        Regex.Replace(target.Pattern, @"\{(\w+)[^}]*\}", m => bad(m.Groups[1].Value) ?? Uri.EscapeDataString(_values.GetValueOrDefault(m.Groups[1].Value, "x")));

    private (HttpClient Client, string Who) ClientFor(Probe probe, Random random)
    {
        var target = probe.Target;
        if (probe.Who == Sender.Anonymous || target.Anonymous) return (_anonymous, "anonymous");
        var allowed = Allowed[target.Policy!];
        if (probe.Who == Sender.Forbidden)
        {
            var forbidden = Everyone.Where(p => !allowed.Contains(p)).ToArray();
            if (forbidden.Length == 0) return (_anonymous, "anonymous");
            var person = forbidden[random.Next(forbidden.Length)];
            return (ClientOf(person), person.UserName);
        }
        // The first sender of a policy most of the time, another one it lets in now and then.
        var sender = allowed.Length > 1 && target.Policy != Policies.Staff && random.Next(3) == 0 ? allowed[random.Next(allowed.Length)] : allowed[0];
        return (ClientOf(sender), sender.UserName);
    }

    private HttpClient ClientOf(Person person)
    {
        if (!_clients.TryGetValue(person, out var client)) _clients[person] = client = _router.As(person);
        return client;
    }

    private const int NotSent = -1;

    /// <summary>The status, and what is wrong with the answer (null when nothing is).</summary>
    private static async Task<(int Status, string? Wrong)> Send(HttpClient client, Probe probe)
    {
        var request = new HttpRequestMessage(new HttpMethod(probe.Method), new Uri(probe.Path + probe.Query, UriKind.Relative)) { Content = probe.Content };
        foreach (var (name, value) in probe.Headers)
            if (!request.Headers.TryAddWithoutValidation(name, value))
                throw new InvalidOperationException($"The test could not add the header {name}.");
        // A live stream answers its headers and then stays open: the status is all this test needs.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        }
        catch (InvalidOperationException) when (probe.Path.Contains("%00", StringComparison.Ordinal))
        {
            // The in-memory server's PathString refuses a NUL before the request exists; Kestrel refuses it with a 400.
            return (NotSent, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (0, $"the request failed: {ex.GetType().Name}: {ex.Message}");
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var path = response.RequestMessage?.RequestUri?.AbsolutePath ?? probe.Path;
            string? wrong = null;
            if (status >= 500)
                wrong = Clip(await response.Content.ReadAsStringAsync(cancel.Token), 600);
            else if (status is >= 400 and < 500 && path.StartsWith("/api", StringComparison.Ordinal))
            {
                var media = response.Content.Headers.ContentType?.MediaType;
                var text = probe.Method == "HEAD" ? "" : await response.Content.ReadAsStringAsync(cancel.Token);
                if (media != "application/problem+json")
                    wrong = $"answered {media ?? "no content type"}: {Clip(text, 200)}";
                else if (probe.Method != "HEAD")
                {
                    JsonNode? problem = null;
                    try { problem = JsonNode.Parse(text); } catch (System.Text.Json.JsonException) { }
                    if ((int?)problem?["status"] != status) wrong = $"a problem answer without its status: {Clip(text, 200)}";
                }
            }
            await cancel.CancelAsync();
            return (status, wrong);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The kinds of malformed request

    private List<(string Kind, Action<Probe, Random> Make)> Kinds() =>
    [
        ("garbage JSON", (p, r) => p.Content = Json(Pick(r, GarbageJson))),
        ("wrong JSON types", (p, r) => p.Content = Json(Body(p, r, (name, type) => WrongType(type, r)))),
        ("huge numbers", (p, r) => p.Content = Json(r.Next(6) == 0 ? Pick(r, HugeNumbers) : Body(p, r, (name, type) => Huge(type, r), numbersFirst: true))),
        ("nulls", (p, r) => p.Content = Json(r.Next(4) switch
        {
            0 => "{" + string.Join(",", Properties(p.Target.BodyType).Select(x => $"\"{x.Name}\":null")) + "}",
            1 => Body(p, r, (name, type) => type == typeof(string[]) ? Pick(r, ["[null]", "[\"agent\",null]", "[null,null]"])
                : type == typeof(Dictionary<string, int>) ? "{\"sociaal\":null}" : "null"),
            2 => Body(p, r, (_, _) => "null"),
            _ => "null",
        })),
        ("deep nesting", (p, r) => p.Content = Json(r.Next(4) switch
        {
            0 => new string('[', 5000) + new string(']', 5000),
            1 => string.Concat(Enumerable.Repeat("{\"a\":", 3000)) + "1" + new string('}', 3000),
            2 => Body(p, r, (_, _) => new string('[', 100) + new string(']', 100)),
            _ => Body(p, r, (_, _) => string.Concat(Enumerable.Repeat("{\"sociaal\":", 63)) + "3" + new string('}', 63)),
        })),
        ("arrays for objects", (p, r) => p.Content = Json(r.Next(4) switch
        {
            0 => "[]",
            1 => "[" + Plausible(p, r) + "]",
            2 => "[[],{},[{}]]",
            _ => Body(p, r, (name, type) => type == typeof(string[]) ? Pick(r, ["{}", "\"agent\"", "{\"0\":\"agent\"}"]) : Pick(r, ["[]", "[3]", "[{\"sociaal\":3}]"])),
        })),
        ("control and unicode characters", (p, r) => p.Content = Json(Body(p, r,
            (name, type) => type == typeof(Dictionary<string, int>) ? "{" + Str(Pick(r, Specials), r.Next(2) == 0) + ":3}"
                : type == typeof(string[]) ? "[" + Str(Pick(r, Specials), r.Next(2) == 0) + "]"
                : Str(Pick(r, Specials), r.Next(2) == 0), stringsFirst: true))),
        ("long values", (p, r) => p.Content = Json(LongValues(p, r))),
        ("oversized body", (p, r) =>
        {
            // Over the 64 KiB limit by a little or by a lot: a long value in an otherwise fine body, or padding.
            var size = r.Next(64 * 1024 + 1, 100_000);
            var body = r.Next(2) == 0
                ? Body(p, r, (_, _) => Str(new string('x', size)), stringsFirst: true)
                : Plausible(p, r) + new string(' ', size);
            p.Content = Json(body);
        }),
        ("wrong content type", (p, r) =>
        {
            var (text, type) = r.Next(3) == 0 ? Pick(r, FormBodies) : (Plausible(p, r), Pick(r, ContentTypes));
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            if (type is not null) content.Headers.TryAddWithoutValidation("Content-Type", type);
            p.Content = content;
        }),
        ("missing body", (p, r) => p.Content = r.Next(4) switch
        {
            0 => null,
            1 => Json(""),
            2 => Json("   \r\n\t "),
            _ => new ByteArrayContent([]),
        }),
        ("body on GET", (p, r) =>
        {
            p.Method = p.Target.Method == "GET" || r.Next(2) == 0 ? "GET" : "DELETE";
            p.Content = Json(Plausible(p, r));
        }),
        ("invalid route values", (p, r) =>
        {
            if (p.Target.Parameters.Length == 0) p.Path = p.Path.TrimEnd('/') + "/" + Pick(r, BadRouteValues(r));
            else
            {
                var spoilt = Pick(r, p.Target.Parameters);
                var value = Pick(r, BadRouteValues(r));
                p.Path = PathOf(p.Target, name => name == spoilt ? value : null);
            }
            if (p.Target.TakesBody) p.Content = Json(Plausible(p, r));
        }),
        ("bad query values", (p, r) =>
        {
            p.Query = "?" + string.Join("&", Enumerable.Range(0, r.Next(1, 4)).Select(_ => Pick(r, BadQueries(r))));
            if (p.Target.TakesBody) p.Content = Json(Plausible(p, r));
        }),
        ("odd headers", (p, r) =>
        {
            foreach (var header in Enumerable.Range(0, r.Next(1, 4)).Select(_ => Pick(r, OddHeaders(r)))) p.Headers.AddRange(header);
            if (p.Target.TakesBody) p.Content = Json(Plausible(p, r));
        }),
        ("forged credentials", (p, r) =>
        {
            p.Headers.Add(Pick(r, ForgedCredentials(r)));
            if (p.Target.TakesBody) p.Content = Json(Plausible(p, r));
        }),
        ("odd methods", (p, r) =>
        {
            p.Method = Pick(r, ["HEAD", "OPTIONS", "PATCH", "TRACE", "PURGE", "PROPFIND", "PUT", "POST", "DELETE", "get"]);
            if (p.Method is not ("HEAD" or "TRACE") && r.Next(2) == 0) p.Content = Json(Plausible(p, r));
        }),
        ("broken encodings", (p, r) =>
        {
            var plausible = Plausible(p, r);
            var (bytes, type) = r.Next(6) switch
            {
                // Invalid UTF-8 inside a string value.
                0 => ([.. Encoding.UTF8.GetBytes("{\"centre\":\"soc"), 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes("\",\"name\":\"x\"}")], "application/json"),
                1 => ([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(plausible)], "application/json; charset=utf-16"),
                2 => (Encoding.UTF32.GetBytes(plausible), "application/json; charset=utf-32"),
                3 => (Encoding.Latin1.GetBytes(plausible.Replace("x\"", "é\"")), "application/json; charset=iso-8859-1"),
                4 => ([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(plausible)], "application/json"),
                _ => (Bytes(r, r.Next(1, 2000)), "application/json"),
            };
            var content = new ByteArrayContent(bytes);
            content.Headers.TryAddWithoutValidation("Content-Type", type);
            if (r.Next(4) == 0) content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
            p.Content = content;
        }),
    ];

    /// <summary>A JSON body of the endpoint's request type whose every value is fine: the base a single malformed value is put in.</summary>
    private string Plausible(Probe p, Random r) => Body(p, r, (_, _) => null);

    /// <summary>
    /// The endpoint's request type (from its Accepts metadata; a few common fields for an endpoint without one) as JSON,
    /// with one to three values (numbers or strings first when asked) replaced by <paramref name="spoil"/>'s.
    /// </summary>
    private string Body(Probe p, Random r, Func<string, Type, string?> spoil, bool numbersFirst = false, bool stringsFirst = false)
    {
        var properties = Properties(p.Target.BodyType);
        var candidates = properties.Where(x => !numbersFirst || IsNumberOrDate(x.Type)).Where(x => !stringsFirst || x.Type == typeof(string)).ToList();
        if (candidates.Count == 0) candidates = properties;
        var spoilt = candidates.OrderBy(_ => r.Next()).Take(r.Next(1, 4)).Select(x => x.Name).ToHashSet();
        var fields = properties.Select(x => (x.Name, Value: spoilt.Contains(x.Name) ? spoil(x.Name, x.Type) ?? FineValue(p.Target, x.Name, x.Type, r) : FineValue(p.Target, x.Name, x.Type, r)));
        return "{" + string.Join(",", fields.Where(f => f.Value is not null).Select(f => $"\"{f.Name}\":{f.Value}")) + "}";
    }

    /// <summary>The fine body of <paramref name="target"/> with the one field <paramref name="spoilt"/> set to the raw JSON <paramref name="value"/>.</summary>
    private string Body(Target target, Random r, string spoilt, string? value) =>
        "{" + string.Join(",", Properties(target.BodyType).Select(x => (x.Name, Value: x.Name == spoilt ? value : FineValue(target, x.Name, x.Type, r)))
            .Where(f => f.Value is not null).Select(f => $"\"{f.Name}\":{f.Value}")) + "}";

    /// <summary>Values of the right JSON type that are still wrong: they get past the parser, so the endpoint must refuse them itself.</summary>
    private static IEnumerable<string> EdgeValues(string name, Type type)
    {
        if (type == typeof(string))
            return ["\"\"", "\"   \"", Str("\u0000"), Str("\uD800"), Str("\u202Eevil"), Str("😀"), Str("%00"), Str("%2F"), Str("\r\nX-Injected: 1"),
                Str(new string('x', 10_000)), Str(new string('é', 20_000)), Str("SOCIAAL"), Str(" sociaal "), Str("+31612345678\u0000"), Str("<script>alert(1)</script>")];
        if (type == typeof(int) || type == typeof(long))
            return ["2147483647", "-2147483648", "0", "-1", "1e2", "1.0", "-0"];
        if (type == typeof(DateTimeOffset))
            return ["\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"9999-12-31T23:59:59.9999999-14:00\"", "\"0001-01-01T00:00:00+14:00\"",
                "\"9999-12-30T00:00:00+01:00\"", "\"0001-01-02T00:00:00Z\"", "\"2026-11-23T09:00:00Z\"", "\"2099-01-01T00:00:00Z\"", "\"2026-03-29T02:30:00+01:00\""];
        if (type == typeof(Dictionary<string, int>))
            return ["{\"sociaal\":2147483647}", "{\"sociaal\":-2147483648}", "{\"\":3}", "{\"SOCIAAL\":3}", "{\"sociaal\":3,\"Sociaal\":3}",
                "{" + Str("\u0000") + ":3}", "{\"sociaal\":3,\"sociaal\":4}", "{" + string.Join(",", Enumerable.Range(0, 3000).Select(i => $"\"c{i}\":3")) + "}"];
        if (type == typeof(string[]))
            return ["[]", "[null]", "[\"agent\",null]", "[\"\"]", "[\"agent\"]", "[\"teamlead\"]", "[\"admin\",\"admin\"]", "[\"ADMIN\"]", "[\"machine\"]",
                "[" + string.Join(",", Enumerable.Repeat("\"reception\"", 3000)) + "]", "[" + Str(new string('r', 10_000)) + "]"];
        return ["null"];
    }

    /// <summary>Query values that bind (or nearly): the handler must refuse them itself.</summary>
    private static IEnumerable<string> EdgeQueries(string name, Type type)
    {
        if (type == typeof(int) || type == typeof(long))
            return ["-1", "0", "2147483647", "2147483648", "-2147483648", "99999999999", "1e3", "1.5", "", "0x10", "%2B1", "%201", "1%00", "1&" + name + "=2"];
        string[] common = ["", "%00", "%0D%0A", "%F0%9F%98%80", new string('q', 10_000), "%ZZ", "%C3%28", "SOCIAAL", "sociaal%00", "a&" + name + "=b"];
        return name switch
        {
            "date" => [.. common, "0001-01-01", "9999-12-31", "0001-01-02", "9999-12-30", "2026-02-29", "2024-02-29", "2026-03-29", "2026-10-25", "2026-11-23T00:00:00Z", "%2B2026-11-23"],
            "customer" or "phone" => [.. common, "%2B31612345678", "%2B" + new string('3', 5000), "0031612345678", "%2B31%00"],
            "returnUrl" => [.. common, "//evil.example", "/%5Cevil.example", "https://evil.example", "javascript:alert(1)", "/%2F%2Fevil.example"],
            _ => common,
        };
    }

    private static List<(string Name, Type Type)> Properties(Type? type) =>
        type?.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(x => (JsonName(x.Name), Nullable.GetUnderlyingType(x.PropertyType) ?? x.PropertyType)).ToList()
        ?? [("centre", typeof(string)), ("status", typeof(string)), ("contactId", typeof(string)), ("priority", typeof(int))];

    private static string JsonName(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static bool IsNumberOrDate(Type type) => type == typeof(int) || type == typeof(long) || type == typeof(DateTimeOffset) || type == typeof(Dictionary<string, int>);

    /// <summary>A fine value by field name (the API contract's words), or by type for a field this test does not know.</summary>
    private string? FineValue(Target target, string name, Type type, Random r) => name switch
    {
        "centre" => "\"sociaal\"",
        "channel" => "\"phone\"",
        "caller" => $"\"{EndpointWorld.Caller}\"",
        "priority" => "1",
        "topic" => "\"parkeren\"",
        "outcome" => "\"resolved\"",
        "summary" => "\"Samenvatting\"",
        "skills" => "{\"sociaal\":3}",
        "status" => "\"break\"",
        "contactId" => $"\"{_values["contactId"]}\"",
        // Never a real account's name: wrong passwords would lock it.
        "userName" => target.Pattern == "/api/session" ? "\"onbekend\"" : $"\"nieuw{r.Next(1_000_000)}\"",
        "password" => "\"Geen-Wachtwoord-1\"",
        "newPassword" or "agentId" or "notBefore" or "notAfter" or "bsn" => null,
        "name" => $"\"naam{r.Next(1_000_000)}\"",
        "displayName" => "\"Naam\"",
        "roles" => "[\"reception\"]",
        "scopes" => "\"contacts:read\"",
        "question" => "\"Vraag\"",
        "email" => "\"naam@example.nl\"",
        _ when type == typeof(string) => "\"x\"",
        _ when type == typeof(int) || type == typeof(long) => "1",
        _ when type == typeof(bool) => "true",
        _ when type == typeof(string[]) => "[\"x\"]",
        _ when type == typeof(Dictionary<string, int>) => "{}",
        _ => null,
    };

    private static string WrongType(Type type, Random r) =>
        type == typeof(string) ? Pick(r, ["42", "true", "[]", "{}", "[\"sociaal\"]", "{\"a\":\"b\"}", "1.5e300", "-0"])
        : type == typeof(int) || type == typeof(long) ? Pick(r, ["\"1\"", "\"high\"", "true", "[]", "{}", "1.5", "\"\"", "[1]"])
        : type == typeof(Dictionary<string, int>) ? Pick(r, ["[]", "\"sociaal\"", "3", "{\"sociaal\":\"3\"}", "{\"sociaal\":[3]}", "{\"sociaal\":true}", "{\"sociaal\":3.5}"])
        : type == typeof(string[]) ? Pick(r, ["\"reception\"", "{}", "[1]", "[[]]", "[{}]", "true"])
        : type == typeof(DateTimeOffset) ? Pick(r, ["\"morgen\"", "0", "\"2026-13-45T25:61:00Z\"", "true", "\"\"", "\"2026-11-23\"", "[]"])
        : Pick(r, ["\"x\"", "1", "[]", "{}"]);

    private static readonly string[] HugeNumbers =
        ["1e400", "-1e400", "99999999999999999999999999999999", "-9223372036854775809", "2147483648", "-2147483649", "1E+2147483647", "0.0000000000000000000000001"];

    private static string Huge(Type type, Random r) =>
        type == typeof(DateTimeOffset)
            ? Pick(r, ["\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"9999-12-31T23:59:59.9999999-14:00\"", "\"0001-01-01T00:00:00+14:00\"", "\"2026-11-23T09:00:00+99:00\""])
            : type == typeof(Dictionary<string, int>) ? Pick(r, ["{\"sociaal\":2147483647}", "{\"sociaal\":-2147483648}", "{\"sociaal\":1e400}", "{\"sociaal\":99999999999}"])
            : Pick(r, [.. HugeNumbers, "2147483647", "-2147483648"]);

    private string LongValues(Probe p, Random r)
    {
        // 10 KB to 60 KB of one value: under the 64 KiB body limit, so the value itself is what is checked.
        var bytes = r.Next(10_000, 60_000);
        switch (r.Next(5))
        {
            case 0: // many entries in a dictionary
                return Body(p, r, (_, type) => type == typeof(Dictionary<string, int>) || r.Next(2) == 0
                    ? "{" + string.Join(",", Enumerable.Range(0, bytes / 16).Select(i => $"\"c{i}\":3")) + "}"
                    : null, numbersFirst: true);
            case 1: // a long array
                return Body(p, r, (_, _) => "[" + string.Join(",", Enumerable.Repeat("\"agent\"", bytes / 8)) + "]");
            case 2: // a long field name
                return "{" + Str(new string('k', bytes)) + ":1," + Plausible(p, r)[1..];
            case 3: // a number of many digits
                return Body(p, r, (_, _) => new string('9', bytes), numbersFirst: true);
            default: // a long string of one-, two-, three- or four-byte characters
                var (unit, size) = Pick(r, [("x", 1), ("é", 2), ("€", 3), ("😀", 4), ("\u0000", 6)]);
                return Body(p, r, (_, _) => Str(string.Concat(Enumerable.Repeat(unit, bytes / size)), escapeAll: false), stringsFirst: true);
        }
    }

    private static readonly string[] GarbageJson =
    [
        "{not json", "{", "}", "{\"centre\":", "{\"centre\":\"sociaal\",}", "{'centre':'sociaal'}", "{\"centre\" \"sociaal\"}", "{} {}", "{}garbage",
        "NaN", "Infinity", "-", "01", "1.", ".5", "tru", "nul", "\"unterminated", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "/* comment */ {}",
        "// comment\n{}", "[1,2", "{\"a\":[}", "<contact/>", "centre=sociaal", "null", "true", "false", "0", "-1", "\"text\"", "{\"\":\"\"}",
        "{\"centre\":\"sociaal\",\"centre\":\"fysiek\"}", "{\"__proto__\":{\"admin\":true}}", "{\"$type\":\"System.IO.FileInfo\"}",
        "{\"$ref\":\"1\"}", "{\"$id\":\"1\",\"centre\":\"sociaal\"}", "\u0000", "{\"centre\":\"soc\u0001iaal\"}", "{\"a\":\"\\ud800\"}",
    ];

    /// <summary>Values that have broken parsers, loggers and databases elsewhere.</summary>
    private static readonly string[] Specials =
    [
        "\u0000", "a\u0000b", "%00", "%2F", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", "\u202Eevil", "\uFEFF", "\r\nX-Injected: 1", "\u0007\u001b[31m",
        "😀", "\uD800", "\uDFFF", "\uDBFF\uDFFF", "Z\u0337\u0327a\u0338l\u0335g\u0337o", "\t", "<script>alert(1)</script>", "' OR 1=1 --", "\"; DROP TABLE Contacts; --",
        "${jndi:ldap://example.invalid/a}", "{{7*7}}", "\u200B", "İ", "ß", "\uFFFF", "\uFFFE", " ", "", "+31 6 1234 5678\u0000",
    ];

    private static readonly string?[] ContentTypes =
    [
        "text/plain", "application/xml", "multipart/form-data", "multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded",
        "application/json-patch+json", "application/merge-patch+json", "application/problem+json", "application/json; charset=utf-32",
        "application/json; charset=\"", "application/json; charset=nonsense", "application/", "*/*", ";;;", "text/json", "application/javascript",
        "application/octet-stream", "APPLICATION/JSON", "application/json, text/plain", null,
    ];

    private static readonly (string Text, string? Type)[] FormBodies =
    [
        ("contactId=%ZZ&&&=&status", "application/x-www-form-urlencoded"),
        ("a=" + new string('b', 20_000), "application/x-www-form-urlencoded"),
        ("--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n", "multipart/form-data; boundary=xyz"),
        ("--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--xyz--\r\n", "multipart/form-data; boundary=xyz"),
        ("garbage", "multipart/form-data"),
        ("garbage", "multipart/form-data; boundary=" + new string('x', 200)),
        ("--x\r\n\r\n--x--", "multipart/mixed; boundary=x"),
    ];

    private static IEnumerable<string> BadRouteValues(Random r) =>
    [
        new string('a', 5000), "..", "%2E%2E", ".", "%00", "anna%00", "%2F", "anna%2Fstatus", "😀", "%F0%9F%98%80", "%ZZ", "%", "%C3%28", "%FF%FE",
        "%20", "anna%0D%0AX-Injected:%201", "%3Cscript%3E", "'%20OR%201=1%20--", "null", "undefined", "-1", "0", "99999999999999999999999",
        "%E2%80%AE", "CON", "~", string.Concat(Enumerable.Repeat("%C3%A9", 3000)), "%2B" + new string('3', 5000), "%2B31611112222%00", "anna;x=1", "anna%3F",
        "%23", "anna.json", Uri.EscapeDataString(Str(Pick(r, Specials))),
    ];

    private static IEnumerable<string> BadQueries(Random r) =>
    [
        "date=0001-01-01", "date=9999-12-31", "date=2026-02-30", "date=%00", "date=", "date=2026-11-23&date=2026-11-24", "date=" + new string('9', 10_000),
        "date=-2026-11-23", "date=20261123", "hours=-1", "hours=99999999999", "hours=1e3", "hours=%00", "hours=", "minutes=7", "minutes=0", "minutes=-2147483648",
        "limit=99999999999", "limit=-1", "limit=0", "limit=abc", "limit=1&limit=2", "centre=%00", "centre=" + new string('c', 10_000), "centre=SOCIAAL",
        "user=" + new string('u', 10_000), "user=%00", "customer=abc", "customer=%2B" + new string('3', 5000), "reason=" + new string('r', 10_000), "reason=%00",
        "reason=%0D%0A", "returnUrl=//evil.example", "returnUrl=/%5Cevil.example", "returnUrl=https://evil.example", "returnUrl=javascript:alert(1)",
        "%00=%00", "a[]=1&a[]=2", "=&=&&", "q=%ZZ", "x=" + new string('x', 30_000), "reason=" + Uri.EscapeDataString(Pick(r, Specials)),
    ];

    private static IEnumerable<(string, string)[]> OddHeaders(Random r) =>
    [
        [("Idempotency-Key", new string('k', 10_000))],
        [("Idempotency-Key", "a"), ("Idempotency-Key", "b")],
        [("Idempotency-Key", "")],
        [(SecuritySetup.AntiforgeryHeader, "garbage")],
        [(SecuritySetup.AntiforgeryHeader, Convert.ToBase64String(Bytes(r, 7_500)))],
        [(SecuritySetup.AntiforgeryHeader, "a"), (SecuritySetup.AntiforgeryHeader, "b")],
        [("X-User", "admin")],
        [("X-Forwarded-For", "not an address, 999.1.1.1")],
        [("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "gopher")],
        [("X-HTTP-Method-Override", "DELETE")],
        [("Accept", "application/json;q=nonsense")],
        [("Accept", "*/*")],
        [("Accept", "text/html")],
        [("Accept", "application/xml")],
        [("Accept-Language", new string('n', 5_000))],
        [("Accept-Encoding", "gzip;q=2, br;q=-1")],
        [("Range", "bytes=garbage")],
        [("If-None-Match", "\"" + new string('e', 5_000) + "\"")],
        [("Expect", "100-continue")],
        [("Origin", "https://evil.example")],
        [("Referer", "javascript:alert(1)")],
        [("Last-Event-ID", new string('9', 5_000))],
    ];

    private static IEnumerable<(string, string)> ForgedCredentials(Random r)
    {
        var session = SecuritySetup.CookieName(IdentityConstants.ApplicationScheme);
        return
        [
            ("Authorization", "Bearer crk_" + Base64Url(Bytes(r, 32))),
            ("Authorization", "Bearer " + TestSecrets.ExchangeKey[..^1] + "X"),
            ("Authorization", "Bearer"),
            ("Authorization", "Bearer " + new string('k', 10_000)),
            ("Authorization", "Bearer a.b.c"),
            ("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9."),
            ("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:wrong"))),
            ("Authorization", "Basic !!!"),
            ("Authorization", "Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=="),
            ("Authorization", "Digest username=\"admin\""),
            ("Cookie", $"{session}=garbage"),
            ("Cookie", $"{session}={Base64Url(Bytes(r, 600))}"),
            ("Cookie", $"{session}=chunks-2147483647"),
            ("Cookie", $"{session}=chunks-3; {session}C1=abc"),
            ("Cookie", $"{session}={new string('c', 10_000)}"),
            ("Cookie", $"{session}=a; {session}=b"),
            ("Cookie", "ContactRouter.Antiforgery=garbage"),
            ("Cookie", "a=b; =; ;;; c"),
            ("Cookie", "%00=1; \u00e9=\u00e9"),
        ];
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers

    private static T Pick<T>(Random r, IEnumerable<T> from)
    {
        var list = from as IReadOnlyList<T> ?? from.ToList();
        return list[r.Next(list.Count)];
    }

    private static byte[] Bytes(Random r, int count)
    {
        var bytes = new byte[count];
        r.NextBytes(bytes);
        return bytes;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static HttpContent Json(string text) => new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    /// <summary>A JSON string; control characters and lone surrogates escaped, the rest as is (or escaped too).</summary>
    private static string Str(string s, bool escapeAll = false)
    {
        var json = new StringBuilder(s.Length + 2).Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '"' or '\\') json.Append('\\').Append(c);
            else if (!escapeAll && char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) json.Append(c).Append(s[++i]);
            else if (c < 0x20 || char.IsSurrogate(c) || (escapeAll && c > 0x7E)) json.Append($"\\u{(int)c:x4}");
            else json.Append(c);
        }
        return json.Append('"').ToString();
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}

/// <summary>
/// A team lead's real session works; a forged, tampered or expired one, or credentials of a kind the API does not take,
/// are a 401 problem answer — for a read (GET /api/centres) and for a change (POST /api/agents/{id}/status).
/// </summary>
public sealed class When_credentials_are_forged_or_expired : RouterSpec
{
    private static readonly Person Lead = Person.TeamLead("sociaal");
    private static readonly string SessionCookie = SecuritySetup.CookieName(IdentityConstants.ApplicationScheme);

    /// <summary>The team lead's cookies (session and antiforgery) as a Cookie header, and the antiforgery token for a change.</summary>
    private sealed record Session(CookieCollection Cookies, string Antiforgery)
    {
        public string Header(string? sessionValue = null) =>
            string.Join("; ", Cookies.Select(c => $"{c.Name}={(c.Name == SessionCookie && sessionValue is not null ? sessionValue : c.Value)}"));

        public string Value => Cookies.Single(c => c.Name == SessionCookie).Value;
    }

    [Theory]
    [InlineData("garbage session cookie")]
    [InlineData("random session cookie")]
    [InlineData("tampered session cookie")]
    [InlineData("session cookie in chunks that are not there")]
    [InlineData("bearer random key")]
    [InlineData("bearer key one character off")]
    [InlineData("basic with the team lead's real password")]
    public async Task Should_answer_401_to_a_forged_credential(string forgery)
    {
        var session = await SignIn();
        // The real session gets in (so the 401s below are the forgery's doing): it reads, and its change reaches the endpoint (no such agent).
        (await Read(session.Header())).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await Change(session.Header(), session.Antiforgery)).ShouldBeProblem(HttpStatusCode.NotFound, "agentId");

        var (cookie, authorization) = forgery switch
        {
            "garbage session cookie" => (session.Header("garbage"), (string?)null),
            "random session cookie" => (session.Header(Convert.ToBase64String(RandomBytes(400)).TrimEnd('=').Replace('+', '-').Replace('/', '_')), null),
            "tampered session cookie" => (session.Header(Tampered(session.Value)), null),
            "session cookie in chunks that are not there" => (session.Header("chunks-2147483647"), null),
            "bearer random key" => ((string?)null, "Bearer crk_" + Convert.ToHexString(RandomBytes(32))),
            "bearer key one character off" => (null, "Bearer " + TestSecrets.ExchangeKey[..^1] + (TestSecrets.ExchangeKey[^1] == 'z' ? 'y' : 'z')),
            "basic with the team lead's real password" =>
                (null, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Lead.UserName}:{StaffHandler.PasswordOf(Lead)}"))),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };

        foreach (var response in new[] { await Read(cookie, authorization), await Change(cookie, session.Antiforgery, authorization) })
        {
            await ShouldBeUnauthorized(response);
            // A machine client is told which scheme to use.
            if (authorization is not null) response.Headers.WwwAuthenticate.Select(h => h.Scheme).Should().Contain("Bearer");
        }
    }

    [Fact]
    public async Task Should_answer_401_to_a_real_session_cookie_once_it_was_idle_too_long()
    {
        var session = await SignIn();
        var idle = _router.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.IdleTimeout;

        // Just within the idle timeout the cookie still works: the clock alone is not what ends it.
        _router.Time.Advance(idle - TimeSpan.FromMinutes(1));
        (await Read(session.Header())).StatusCode.Should().Be(HttpStatusCode.OK);
        // Past it (counted from when this cookie was issued; the answer above may have issued a fresh one, not used here).
        _router.Time.Advance(TimeSpan.FromMinutes(2));

        await ShouldBeUnauthorized(await Read(session.Header()));
        await ShouldBeUnauthorized(await Change(session.Header(), session.Antiforgery));
    }

    private async Task<Session> SignIn()
    {
        var handler = new StaffHandler(_router.Services, Lead);
        (await _router.CreateDefaultClient(handler).GetAsync("/api/me")).EnsureSuccessStatusCode();
        var cookies = handler.CookiesOf(Lead)!.GetCookies(_router.Server.BaseAddress);
        cookies.Select(c => c.Name).Should().Contain(SessionCookie);
        var me = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        me.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}")));
        var token = (await (await _router.Anonymous().SendAsync(me)).Json())["antiforgeryToken"]!.GetValue<string>();
        return new Session(cookies, token);
    }

    private Task<HttpResponseMessage> Read(string? cookie, string? authorization = null) =>
        Send(new HttpRequestMessage(HttpMethod.Get, "/api/centres"), cookie, authorization);

    private Task<HttpResponseMessage> Change(string? cookie, string antiforgery, string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/agents/nobody/status") { Content = JsonContent.Create(new { status = "break" }) };
        request.Headers.Add(SecuritySetup.AntiforgeryHeader, antiforgery);
        return Send(request, cookie, authorization);
    }

    private Task<HttpResponseMessage> Send(HttpRequestMessage request, string? cookie, string? authorization)
    {
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return _router.Anonymous().SendAsync(request);
    }

    private static async Task ShouldBeUnauthorized(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", text);
        JsonNode.Parse(text)!["status"]!.GetValue<int>().Should().Be(401, text);
    }

    /// <summary>One character in the middle changed (every bit of a middle base64url character counts).</summary>
    private static string Tampered(string value)
    {
        var i = value.Length / 2;
        return value[..i] + (value[i] == 'A' ? 'B' : 'A') + value[(i + 1)..];
    }

    private static byte[] RandomBytes(int count) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(count);
}

/// <summary>
/// A body over the limit (64 KiB) is refused with 413 naming the body, whether it declares its length or comes in
/// chunks, and nothing of it is acted on: a call that would otherwise be valid is not queued.
/// </summary>
public sealed class When_a_body_is_too_large(ITestOutputHelper output) : RouterSpec
{
    [Fact]
    public async Task Should_refuse_a_declared_length_over_the_limit_with_413_and_change_nothing()
    {
        var limit = _router.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.MaxRequestBodyBytes;
        var exchange = _router.As(Person.Exchange);

        // By machine key and by session cookie (whose antiforgery check runs before the body is read).
        await (await exchange.PostAsync("/api/contacts", Big.Call(limit))).ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "body");
        await (await _router.As(Person.Admin).PutAsync("/api/agents/anna", Big.Json(limit, "name", new { centre = "sociaal", skills = new { sociaal = 3 } })))
            .ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "body");
        await (await _router.As(Person.Reception).PostAsync("/api/callbacks", Big.Json(limit, "question", new { centre = "sociaal", caller = "+31612345678" })))
            .ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "body");

        await Big.NothingChanged(_router, _router.As(Person.TeamLead()), exchange);
    }

    [Fact]
    public async Task Should_refuse_a_chunked_body_over_the_limit_with_413_and_queue_nothing()
    {
        // On real Kestrel: a chunked body declares no length the app could refuse up front, so Kestrel's limit refuses it
        // while it is read — and the in-memory test server has no such limit (there it is read whole and queued: 202).
        await using var host = new RouterFactory(RouterFactory.NewStorePath(), RouterFactory.NewClock());
        host.UseKestrel(0);
        host.StartServer();
        var limit = host.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.MaxRequestBodyBytes;
        var exchange = host.As(Person.Exchange);
        var admin = host.As(Person.Admin);

        var streamed = new HttpRequestMessage(HttpMethod.Post, "/api/contacts") { Content = Big.Streamed(Big.Call(limit)) };
        var flagged = new HttpRequestMessage(HttpMethod.Post, "/api/contacts") { Content = Big.Call(limit) };
        flagged.Headers.TransferEncodingChunked = true;
        var byCookie = new HttpRequestMessage(HttpMethod.Put, "/api/agents/anna")
        {
            Content = Big.Streamed(Big.Json(limit, "name", new { centre = "sociaal", skills = new { sociaal = 3 } })),
        };

        foreach (var (client, request) in new[] { (exchange, streamed), (exchange, flagged), (admin, byCookie) })
        {
            (request.Headers.TransferEncodingChunked == true || request.Content!.Headers.ContentLength is null).Should().BeTrue("the body goes chunked, with no length up front");
            var response = await client.SendAsync(request);
            var problem = await response.ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "body");
            output.WriteLine($"{request.Method} {request.RequestUri!.AbsolutePath} chunked on Kestrel: {(int)response.StatusCode} {problem["detail"]}");
        }

        await Big.NothingChanged(host, host.As(Person.TeamLead()), exchange);
    }
}

/// <summary>Bodies over the limit that would be valid under it, and the check that none of them was acted on.</summary>
file static class Big
{
    /// <summary>A call that is valid but for its size: the topic is free text with no length rule of its own.</summary>
    public static HttpContent Call(long limit) => Json(limit, "topic", new { centre = "sociaal", channel = "phone", caller = "+31612345678" });

    /// <summary>The fields of <paramref name="fine"/>, and <paramref name="field"/> long enough to take the body 10 KB over <paramref name="limit"/>.</summary>
    public static HttpContent Json(long limit, string field, object fine)
    {
        var node = JsonSerializer.SerializeToNode(fine, JsonSerializerOptions.Web)!.AsObject();
        node[field] = new string('x', (int)limit + 10_000);
        return new ByteArrayContent(Encoding.UTF8.GetBytes(node.ToJsonString())) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
    }

    /// <summary>The same bytes with no length known up front, so the client sends them chunked.</summary>
    public static HttpContent Streamed(HttpContent content)
    {
        var bytes = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var streamed = new StreamContent(new UnknownLength(bytes));
        streamed.Headers.ContentType = content.Headers.ContentType;
        return streamed;
    }

    /// <summary>Nothing queued, no agent, no callback; and a valid call behind them is queued and seen, so a queued oversized one would have been too.</summary>
    public static async Task NothingChanged(RouterFactory host, HttpClient teamLead, HttpClient exchange)
    {
        (await teamLead.GetJson("/api/centres")).AsArray().Select(c => c!["waiting"]!.GetValue<int>()).Should().OnlyContain(w => w == 0);
        using (var db = host.NewDbContext())
        {
            db.Contacts.Count().Should().Be(0);
            db.Agents.Count().Should().Be(0);
            db.Callbacks.Count().Should().Be(0);
        }

        var contactId = await exchange.Call("sociaal");
        await teamLead.ContactWhen(contactId, "queued");
        (await teamLead.GetJson("/api/centres")).AsArray().Sum(c => c!["waiting"]!.GetValue<int>()).Should().Be(1);
        host.NewDbContext().Contacts.Count().Should().Be(1);
    }

    private sealed class UnknownLength(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
