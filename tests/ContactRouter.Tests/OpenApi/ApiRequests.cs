using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContactRouter.Tests.SignIn;
using ContactRouter.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;

namespace ContactRouter.Tests.OpenApi;

/// <summary>Who sends a request: someone the operation's policy lets in (so it reaches validation), nobody, or someone it keeps out.</summary>
public enum Sender { Allowed, Anonymous, Forbidden }

/// <summary>One request made from the document, before it is sent.</summary>
public sealed class ApiRequest(string kind, Operation? operation, string method, string path, string? policy, bool anonymous)
{
    public string Kind { get; } = kind;
    /// <summary>The operation it is for; null for a method its path does not have, or an endpoint the document leaves out.</summary>
    public Operation? Operation { get; } = operation;
    public string? Policy { get; } = policy;
    public bool Anonymous { get; } = anonymous;
    public string Method { get; set; } = method;
    /// <summary>Escaped as it goes on the wire.</summary>
    public string Path { get; set; } = path;
    public string Query { get; set; } = "";
    public HttpContent? Content { get; set; }
    public List<(string Name, string Value)> Headers { get; } = [];
    public Sender Who { get; set; } = Sender.Allowed;

    public override string ToString() => $"{Kind}: {Method} {Clip(Path + Query, 140)}";

    internal static string Clip(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}

/// <summary>What came back, and who sent it.</summary>
public sealed record Answer(int Status, string? MediaType, JsonNode? Problem, string Text, string Who);

/// <summary>
/// The people and clients that send the requests, in the world <see cref="EndpointWorld"/> arranges, and the checks
/// every answer must pass against the document.
/// </summary>
public sealed class ApiCallers(RouterFactory router)
{
    /// <summary>Sends the requests of the endpoints any member of staff may use, so signing out ends nobody else's session.</summary>
    public static readonly Person Zoe = Person.Agent("zoe");

    private static readonly Person[] Everyone = [EndpointWorld.Anna, EndpointWorld.Bram, EndpointWorld.Lead, Person.Reception, Person.Admin, Person.Exchange, Zoe];

    private readonly Dictionary<Person, HttpClient> _clients = [];
    private HttpClient? _anonymous;
    private HttpClient? _browser;

    /// <summary>The one the policy lets in first (the agent the requests are about, the team lead of her centre, …).</summary>
    public static Person? AllowedFor(string? policy) =>
        policy is null ? null : policy == Policies.Staff ? Zoe : EndpointWorld.Allowed[policy][0];

    public static bool IsKnown(string? policy) => policy is not null && EndpointWorld.Allowed.ContainsKey(policy);

    /// <summary>Signs everyone in (a built-in account is made on first use): before a snapshot, so that is not counted as a change.</summary>
    public async Task SignInEveryone()
    {
        foreach (var person in Everyone) (await Client(person).GetAsync("/api/me")).EnsureSuccessStatusCode();
        await Browser();
    }

    public HttpClient Client(Person person)
    {
        if (!_clients.TryGetValue(person, out var client)) _clients[person] = client = router.As(person);
        return client;
    }

    /// <summary>Signed out, but with the sign-in page's antiforgery token: what an anonymous change (signing in) comes from.</summary>
    private async Task<HttpClient> Browser()
    {
        if (_browser is not null) return _browser;
        var browser = new Browser(router);
        await browser.Me();
        browser.Http.DefaultRequestHeaders.Add(SecuritySetup.AntiforgeryHeader, browser.Token);
        return _browser = browser.Http;
    }

    private HttpClient Anonymous() => _anonymous ??= router.Anonymous();

    public async Task<(HttpClient Client, string Who)> For(ApiRequest request, Random random)
    {
        if (request.Anonymous)
            return HttpMethods.IsGet(request.Method) ? (Anonymous(), "anonymous") : (await Browser(), "signed-out browser");
        if (request.Who == Sender.Anonymous) return (Anonymous(), "anonymous");
        var allowed = request.Policy == Policies.Staff ? [Zoe, .. EndpointWorld.Allowed[Policies.Staff]] : EndpointWorld.Allowed[request.Policy!];
        if (request.Who == Sender.Forbidden)
        {
            var forbidden = Everyone.Where(p => !allowed.Contains(p)).ToArray();
            if (forbidden.Length == 0) return (Anonymous(), "anonymous");
            var person = forbidden[random.Next(forbidden.Length)];
            return (Client(person), person.UserName);
        }
        var sender = AllowedFor(request.Policy)!;
        return (Client(sender), sender.UserName);
    }

    public async Task<Answer> Send(ApiRequest request, Random random)
    {
        var (client, who) = await For(request, random);
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.Path + request.Query, UriKind.Relative)) { Content = request.Content };
        foreach (var (name, value) in request.Headers)
            if (!message.Headers.TryAddWithoutValidation(name, value))
                throw new InvalidOperationException($"The test could not add the header {name}.");
        // A live stream answers its headers and then stays open: the status is all that is needed.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var status = (int)response.StatusCode;
        var media = response.Content.Headers.ContentType?.MediaType;
        var text = request.Method == "HEAD" || media == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync(cancel.Token);
        JsonNode? problem = null;
        if (media == "application/problem+json")
            try { problem = JsonNode.Parse(text); } catch (JsonException) { }
        await cancel.CancelAsync();
        return new Answer(status, media, problem, text, who);
    }

    /// <summary>
    /// What is untrue about an answer, or null: never a 5xx; every 4xx of the API a problem answer with its own status;
    /// every 400 naming the field; and, for an operation of the document, only a status the document lists for it.
    /// </summary>
    public static string? Untrue(ApiRequest request, Answer answer)
    {
        var where = $"{request} as {answer.Who} → {answer.Status}";
        if (answer.Status >= 500) return $"{where}: {ApiRequest.Clip(answer.Text, 400)}";
        if (request.Operation is { } operation && !operation.Statuses.Contains(answer.Status))
            return $"{where}, which the document does not list for {operation} ({string.Join(", ", operation.Statuses.Order())}): {ApiRequest.Clip(answer.Text, 200)}";
        if (answer.Status is >= 400 and < 500 && request.Path.StartsWith("/api", StringComparison.Ordinal) && request.Method != "HEAD")
        {
            if (answer.MediaType != "application/problem+json") return $"{where} answered {answer.MediaType ?? "no content type"}: {ApiRequest.Clip(answer.Text, 200)}";
            if ((int?)answer.Problem?["status"] != answer.Status) return $"{where}: a problem answer without its status: {ApiRequest.Clip(answer.Text, 200)}";
            if (answer.Status == 400 && answer.Problem?["field"] is null) return $"{where}: a 400 that names no field: {ApiRequest.Clip(answer.Text, 200)}";
        }
        return null;
    }
}

/// <summary>
/// Requests made from the document's schemas: a fine one per operation (fine values by the contract's field names, in
/// the world <see cref="EndpointWorld"/> arranges; by the schema for a field it does not know), and malformed ones that
/// break exactly what the document declares — so that every one of them must be refused, and change nothing.
/// </summary>
public sealed class RequestMaker(IReadOnlyDictionary<string, string> world, DateTimeOffset now, IReadOnlyList<Operation> operations)
{
    private int _serial;

    // -----------------------------------------------------------------------------------------------------------------
    // Fine requests

    public ApiRequest Fine(Operation operation, string kind = "fine")
    {
        var request = new ApiRequest(kind, operation, operation.Method, PathOf(operation, _ => null), operation.Policy, operation.Anonymous);
        var query = operation.In("query").Select(p => (p.Name, Value: FineQuery(p))).Where(q => q.Value is not null).ToList();
        if (query.Count > 0) request.Query = "?" + string.Join("&", query.Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}"));
        if (operation.Body is not null) request.Content = Json(FineBody(operation).ToJsonString());
        return request;
    }

    /// <summary>A body whose every value is fine; a field this leaves out is one that is only fine together with others (an agent account's agent id).</summary>
    public JsonObject FineBody(Operation operation)
    {
        var body = new JsonObject();
        foreach (var (name, schema) in operation.Body!.Properties)
            if (FineValue(operation, name, schema) is { } value) body[name] = value;
        return body;
    }

    public string PathOf(Operation operation, Func<string, string?> spoil) => PathOf(operation.Path, spoil);

    public string PathOf(string pattern, Func<string, string?> spoil) =>
        Regex.Replace(pattern, @"\{(\w+)[^}]*\}", m => spoil(m.Groups[1].Value) ?? Uri.EscapeDataString(world.GetValueOrDefault(m.Groups[1].Value, "x")));

    private static string? FineQuery(Parameter p) => p.Name switch
    {
        // The customer view: reception and team leads say why.
        "reason" => "Terugbelverzoek",
        _ => null,
    };

    private JsonNode? FineValue(Operation operation, string name, Schema schema) => name switch
    {
        "centre" => "sociaal",
        "channel" => "phone",
        "caller" => EndpointWorld.Caller,
        "priority" => 1,
        // A topic of the centre above, so that either may be left out.
        "topic" => "wmo",
        "outcome" => "resolved",
        "summary" => "Samenvatting",
        "skills" => new JsonObject { ["sociaal"] = 3 },
        "status" => "break",
        "contactId" => world["contactId"],
        // Never a real account's name at the sign-in: wrong passwords would lock it.
        "userName" => operation.Path == "/api/session" ? "onbekend" : $"nieuw{++_serial}",
        "password" => "Geen-Wachtwoord-1",
        "newPassword" => "Nieuw-Wachtwoord-12",
        "name" => $"naam{++_serial}",
        "displayName" => "Naam",
        "roles" => new JsonArray("reception"),
        // Only an agent account has one, and a reception account is what is made here.
        "agentId" => null,
        "scopes" => "contacts:read",
        "question" => "Vraag",
        "email" => "naam@example.nl",
        "bsn" => "111222333",
        "notBefore" => Time(now.AddHours(1)),
        "notAfter" => Time(now.AddDays(2)),
        // Reception's times without a day: the other way to give the window than notBefore/notAfter, never both.
        "from" or "until" => null,
        _ => FromSchema(schema),
    };

    private static JsonNode? FromSchema(Schema s)
    {
        if (s.Enum is [var first, ..]) return first?.DeepClone();
        if (s.Is("string")) return new[] { "x", "1", "a" }.FirstOrDefault(s.Matches);
        if (s.Is("integer")) return (int)(s.Minimum ?? 1);
        if (s.Is("boolean")) return true;
        if (s.Is("array") && s.Items is { } items) return new JsonArray(FromSchema(items));
        if (s.Is("object")) return new JsonObject();
        return null;
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Malformed requests: each breaks what the document declares, so each must be refused

    /// <summary>Every malformed request of the operation: its fields, body, route values, query, headers and senders.</summary>
    public IEnumerable<ApiRequest> Malformed(Operation operation, Random random)
    {
        if (operation.Body is { } body)
        {
            foreach (var (name, schema) in body.Properties)
            foreach (var (kind, raw) in BadValues(schema, body.Required.Contains(name), freeText: IsFreeText(schema)))
                yield return WithBody(operation, kind + " in " + name, BodyWith(operation, name, raw));
            foreach (var (kind, content) in BadBodies(operation, random)) yield return With(Fine(operation, kind), r => r.Content = content);
        }
        else
            // Even where no body is taken, one declared over the limit is refused before anything else (413 on every operation).
            yield return With(Fine(operation, "oversized body"), r => r.Content = Json("{}" + new string(' ', 64 * 1024 + random.Next(1, 10_000))));
        foreach (var parameter in operation.In("path"))
        foreach (var value in BadRouteValues(parameter.Schema))
            yield return With(Fine(operation, "bad route value " + parameter.Name), r => r.Path = PathOf(operation, n => n == parameter.Name ? value : null));
        foreach (var parameter in operation.In("query"))
        foreach (var value in BadQueryValues(parameter))
            yield return With(Fine(operation, "bad query value " + parameter.Name), r => r.Query = $"?{parameter.Name}={value}");
        foreach (var parameter in operation.In("header"))
        foreach (var value in BadStrings(parameter.Schema, freeText: false).Select(v => v.Value).Where(v => v is not null && IsHeaderSafe(v)))
            yield return With(Fine(operation, "bad header " + parameter.Name), r => r.Headers.Add((parameter.Name, value!)));
        if (!operation.Anonymous)
        {
            yield return With(Fine(operation, "no credentials"), r => r.Who = Sender.Anonymous);
            yield return With(Fine(operation, "credentials the policy keeps out"), r => r.Who = Sender.Forbidden);
            // Sent as they are, by nobody else: a signed-in sender's client would add its own credentials.
            foreach (var forged in ForgedCredentials(random).OrderBy(_ => random.Next()).Take(3))
                yield return With(Fine(operation, "forged credentials"), r => { r.Who = Sender.Anonymous; r.Headers.Add(forged); });
            // A change made with the session cookie but a token that is not the one from GET /api/me.
            if (!HttpMethods.IsGet(operation.Method) && ApiCallers.AllowedFor(operation.Policy) is { IsMachine: false })
                yield return With(Fine(operation, "wrong antiforgery token"), r => r.Headers.Add((SecuritySetup.AntiforgeryHeader, "garbage")));
        }
    }

    /// <summary>Methods a path of the document does not have, with a fine body: each must be refused (405) as it stands.</summary>
    public IEnumerable<ApiRequest> OtherMethods(string path)
    {
        var mine = operations.Where(o => o.Path == path).ToList();
        var first = mine[0];
        foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS" }.Where(m => mine.All(o => o.Method != m)))
        {
            var request = new ApiRequest("a method the path does not have", null, method, PathOf(first, _ => null), first.Policy, first.Anonymous);
            if (method is not ("GET" or "HEAD") && mine.FirstOrDefault(o => o.Body is not null) is { } withBody)
                request.Content = Json(FineBody(withBody).ToJsonString());
            yield return request;
        }
    }

    /// <summary>For an endpoint the document leaves out (a page, /health): what needs no schema.</summary>
    public IEnumerable<ApiRequest> Malformed(Undescribed endpoint, Random random)
    {
        ApiRequest Make(string kind) =>
            new(kind, null, endpoint.Method, PathOf(endpoint.Path, _ => null), endpoint.Policy, endpoint.Anonymous);
        foreach (var name in endpoint.RouteValues)
        foreach (var value in new[] { new string('a', 5000), "%01", "%C3%28", "%E2%80%AE", "..%2F..%2Fetc" })
            yield return With(Make("odd route value " + name), r => r.Path = PathOf(endpoint.Path, n => n == name ? value : null));
        foreach (var query in new[] { "?x=" + new string('x', 30_000), "?%00=%00", "?a[]=1&a[]=2", "?=&=&&", "?q=%ZZ" })
            yield return With(Make("odd query"), r => r.Query = query);
        if (!endpoint.Anonymous)
        {
            yield return With(Make("no credentials"), r => r.Who = Sender.Anonymous);
            foreach (var forged in ForgedCredentials(random).OrderBy(_ => random.Next()).Take(2))
                yield return With(Make("forged credentials"), r => { r.Who = Sender.Anonymous; r.Headers.Add(forged); });
        }
        foreach (var method in new[] { "POST", "DELETE", "PATCH" })
            yield return With(Make("a method the path does not have"), r => { r.Method = method; r.Content = Json("{}"); });
    }

    private ApiRequest WithBody(Operation operation, string kind, string body) => With(Fine(operation, kind), r => r.Content = Json(body));

    private static ApiRequest With(ApiRequest request, Action<ApiRequest> change)
    {
        change(request);
        return request;
    }

    /// <summary>The fine body with <paramref name="field"/> set to the raw JSON <paramref name="raw"/>, or left out when that is null.</summary>
    public string BodyWith(Operation operation, string field, string? raw)
    {
        var fields = FineBody(operation).Select(f => (f.Key, Raw: f.Value!.ToJsonString())).Where(f => f.Key != field).ToList();
        if (raw is not null) fields.Add((field, raw));
        return "{" + string.Join(",", fields.Select(f => $"{Str(f.Key)}:{f.Raw}")) + "}";
    }

    /// <summary>Free text: a string the document bounds only by length and by the text pattern (no enum, no format, no pattern of its own).</summary>
    private static bool IsFreeText(Schema s) => s.Is("string") && s.Enum is null && s.Format is null && s.Pattern == JsonBody.TextPattern;

    /// <summary>JSON values the field's schema does not allow; null: the field left out.</summary>
    public static IEnumerable<(string Kind, string? Raw)> BadValues(Schema s, bool required, bool freeText)
    {
        if (required)
        {
            yield return ("required field missing", null);
            yield return ("required field null", "null");
        }
        foreach (var raw in WrongTypes(s)) yield return ("wrong JSON type", raw);
        if (s.Is("string"))
            foreach (var (kind, value) in BadStrings(s, freeText))
                yield return (kind, Str(value!));
        if (s.Is("integer"))
        {
            if (s.Enum is { Count: > 0 } values)
                yield return ("a number not in the enum", Enumerable.Range(0, 1000).First(i => values.All(v => (int?)v != i)).ToString(CultureInfo.InvariantCulture));
            if (s.Minimum is { } min) yield return ("a number under the minimum", (min - 1).ToString(CultureInfo.InvariantCulture));
            if (s.Maximum is { } max) yield return ("a number over the maximum", (max + 1).ToString(CultureInfo.InvariantCulture));
            foreach (var huge in new[] { "2147483648", "1e400" }) yield return ("a huge number", huge);
        }
        if (s.Format == "date-time")
        {
            if (s.FormatMinimum is { } first) yield return ("a time before the first", Str(Time(DateTimeOffset.Parse(first, CultureInfo.InvariantCulture).AddSeconds(-1))));
            if (s.FormatMaximum is { } last)
                yield return ("a time after the last", Str(Time(DateTimeOffset.Parse(last, CultureInfo.InvariantCulture).AddSeconds(s.FormatMaximumIsExclusive ? 0 : 1))));
            foreach (var odd in new[] { "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999-14:00", "morgen", "2026-11-23T09:00:00+99:00" })
                yield return ("a time out of range or no time", Str(odd));
        }
        if (s.Is("array") && s.Items is { } items)
        {
            var fine = FromSchema(items)!.ToJsonString();
            if (s.MaxItems is { } maxItems) yield return ("more items than allowed", "[" + string.Join(",", Enumerable.Repeat(fine, maxItems + 1)) + "]");
            yield return ("an item of the wrong type", "[1]");
            yield return ("an item of the wrong type", "[null]");
            if (items.Enum is not null) yield return ("an item not in the enum", "[\"nowhere\"]");
        }
        if (s.Is("object") && s.Values is { } values2)
        {
            var key = s.Keys?.Enum?[0]?.ToString() ?? "k";
            if (s.Keys?.Enum is not null) yield return ("a key not in the enum", "{\"nowhere\":1}");
            if (s.Keys?.Enum is { } keys && s.MaxProperties is { } maxProperties)
                yield return ("more properties than allowed", "{" + string.Join(",", keys.Select(k => $"{Str(k!.ToString())}:{values2.Minimum ?? 1}").Append("\"extra\":1").Take(maxProperties + 1)) + "}");
            if (values2.Maximum is { } vmax) yield return ("a value over the maximum", $"{{{Str(key)}:{vmax + 1}}}");
            if (values2.Minimum is { } vmin) yield return ("a value under the minimum", $"{{{Str(key)}:{vmin - 1}}}");
            yield return ("a value of the wrong type", $"{{{Str(key)}:[3]}}");
            yield return ("a value of the wrong type", $"{{{Str(key)}:\"high\"}}");
        }
    }

    /// <summary>Strings the schema does not allow: too long or short, not in the enum, not matching the pattern, control characters in free text.</summary>
    private static IEnumerable<(string Kind, string? Value)> BadStrings(Schema s, bool freeText)
    {
        var unit = new[] { "x", "1", "a" }.FirstOrDefault(s.Matches) ?? "x";
        if (s.MaxLength is { } max)
        {
            yield return ("a string over maxLength", string.Concat(Enumerable.Repeat(unit, max + 1)));
            if (max < 5_000) yield return ("a string far over maxLength", string.Concat(Enumerable.Repeat(unit, 20_000)));
        }
        if (s.MinLength is > 1 and var min) yield return ("a string under minLength", string.Concat(Enumerable.Repeat(unit, min - 1)));
        if (s.MinLength is > 0) yield return ("an empty string", "");
        if (s.Enum is { Count: > 0 })
        {
            yield return ("a string not in the enum", "nowhere");
            yield return ("a string not in the enum", "");
        }
        else if (s.Pattern is { } && !freeText)
            foreach (var value in new[] { "an!na", "x y", "é", "<x>", "😀" }.Where(v => !s.Matches(v) && v.Length <= (s.MaxLength ?? int.MaxValue)).Take(2))
                yield return ("a string that breaks the pattern", value);
        if (freeText)
            foreach (var value in new[] { "a\u0000b", "\u001b[31mred", "half \ud800 a pair" })
                yield return ("a control character or half a surrogate pair", value);
    }

    private static IEnumerable<string> WrongTypes(Schema s)
    {
        var types = s.Types;
        if (!types.Contains("string")) yield return "\"high\"";
        else if (types.Contains("integer")) yield return "\"high\"";
        if (!types.Contains("integer") && !types.Contains("number")) yield return "42";
        else if (!types.Contains("number")) yield return "1.5";
        if (!types.Contains("boolean")) yield return "true";
        if (!types.Contains("array")) yield return "[]";
        if (!types.Contains("object")) yield return "{}";
    }

    /// <summary>Whole bodies that are no body of the operation: not JSON, not an object, not JSON at all, too large.</summary>
    private IEnumerable<(string Kind, HttpContent? Content)> BadBodies(Operation operation, Random random)
    {
        var fine = FineBody(operation).ToJsonString();
        // A few of each list per operation, different ones for each (seeded): together the operations get the whole list.
        foreach (var garbage in GarbageJson.Where(g => !IsJsonObject(g)).OrderBy(_ => random.Next()).Take(6)) yield return ("broken JSON", Json(garbage));
        yield return ("deep nesting", Json(new string('[', 5000) + new string(']', 5000)));
        yield return ("deep nesting", Json(string.Concat(Enumerable.Repeat("{\"a\":", 3000)) + "1" + new string('}', 3000)));
        yield return ("an array for the object", Json("[" + fine + "]"));
        yield return ("no body", null);
        yield return ("an empty body", Json(""));
        yield return ("an empty body", new ByteArrayContent([]));
        foreach (var type in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/octet-stream", "text/json", ";;;" }
                     .OrderBy(_ => random.Next()).Take(3))
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(fine));
            content.Headers.TryAddWithoutValidation("Content-Type", type);
            yield return ("wrong content type", content);
        }
        // Inside a field the endpoint reads: a field it does not know might be skipped unread.
        // A body of numbers alone (a priority) gets the bad string in its first field: the endpoint reads that one too.
        var text = FineBody(operation).FirstOrDefault(f => f.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String).Key
                   ?? FineBody(operation).First().Key;
        var rest = BodyWith(operation, text, null);
        yield return ("invalid UTF-8", Bytes([.. Encoding.UTF8.GetBytes((rest == "{}" ? "{" : rest[..^1] + ",") + $"{Str(text)}:\"soc"), 0xC3, 0x28, 0xFF, 0xFE,
            .. Encoding.UTF8.GetBytes("\"}")]));
        yield return ("UTF-16", Bytes([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(fine)]));
        var noise = new byte[random.Next(1, 2000)];
        random.NextBytes(noise);
        if (!IsJsonObject(Encoding.UTF8.GetString(noise))) yield return ("random bytes", Bytes(noise));
        // Over the 64 KiB limit by a little or by a lot: padding after a fine body, or one long value.
        yield return ("oversized body", Json(fine + new string(' ', random.Next(64 * 1024 + 1, 100_000))));
        yield return ("oversized body", Json(fine[..^1] + ",\"x\":" + Str(new string('x', random.Next(64 * 1024 + 1, 100_000))) + "}"));
    }

    /// <summary>Route values the parameter's schema does not allow; for an id without a pattern also ones that name nobody.</summary>
    private static IEnumerable<string> BadRouteValues(Schema s)
    {
        if (s.MaxLength is { } max) yield return new string('a', max + 1);
        if (s.Pattern is not null)
        {
            foreach (var value in new[] { "an!na", "x y", "é", "😀", "\u0001", "\u202E", "' OR 1=1 --", "..\\x" }.Where(v => !s.Matches(v)).Take(4))
                yield return Uri.EscapeDataString(value);
            yield return "%C3%28";
            yield return "an%0A";
        }
        else
            // No pattern to break: these name nothing that exists, which an operation on an id refuses (404) without change.
            foreach (var value in new[] { "%01", "%E2%80%AE", "'%20OR%201=1%20--", "nobody", "%C3%A9" })
                yield return value;
    }

    /// <summary>Query values the parameter's schema does not allow, escaped for the query string.</summary>
    private static IEnumerable<string> BadQueryValues(Parameter p)
    {
        var s = p.Schema;
        if (s.Is("integer"))
        {
            // Not "1%00": .NET's integer parsing takes trailing NULs, so that one is 1.
            foreach (var value in new[] { "abc", "1.5", "1e3", "0x10", "99999999999", "%00", "1&" + p.Name + "=2" }) yield return value;
            if (s.Minimum is { } min) yield return (min - 1).ToString(CultureInfo.InvariantCulture);
            if (s.Maximum is { } max) yield return (max + 1).ToString(CultureInfo.InvariantCulture);
            if (s.Enum is { Count: > 0 } values) yield return Enumerable.Range(0, 1000).First(i => values.All(v => (int?)v != i)).ToString(CultureInfo.InvariantCulture);
        }
        else if (s.Format == "date")
        {
            foreach (var value in new[] { "morgen", "2026-02-30", "20261123", "2026-11-23T00:00:00Z", "%2B2026-11-23", "%00", "0001-01-01", "9999-12-31" }) yield return value;
            if (s.FormatMinimum is { } first) yield return DateOnly.Parse(first, CultureInfo.InvariantCulture).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (s.FormatMaximum is { } last) yield return DateOnly.Parse(last, CultureInfo.InvariantCulture).AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        else
            foreach (var (_, value) in BadStrings(s, freeText: false).Where(v => v.Value is { Length: > 0 }))
                yield return Uri.EscapeDataString(value!);
    }

    /// <summary>What HttpClient sends as it is: printable ASCII, and not empty (an empty value would not reach the server at all).</summary>
    private static bool IsHeaderSafe(string value) => value.Length > 0 && value.All(c => c is >= ' ' and <= '~');

    private static bool IsJsonObject(string text)
    {
        try { return JsonNode.Parse(text) is JsonObject; }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException) { return false; }
    }

    private static readonly string[] GarbageJson =
    [
        "{not json", "{", "}", "{\"centre\":", "{\"centre\":\"sociaal\",}", "{'centre':'sociaal'}", "{\"centre\" \"sociaal\"}", "{} {}", "{}garbage",
        "NaN", "Infinity", "-", "01", "1.", ".5", "tru", "nul", "\"unterminated", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "/* comment */ {}",
        "// comment\n{}", "[1,2", "{\"a\":[}", "<contact/>", "centre=sociaal", "null", "true", "false", "0", "-1", "\"text\"", "[]", "[[],{},[{}]]",
        "\u0000", "{\"centre\":\"soc\u0001iaal\"}",
    ];

    public static IEnumerable<(string, string)> ForgedCredentials(Random r)
    {
        var session = SecuritySetup.CookieName(IdentityConstants.ApplicationScheme);
        return
        [
            ("Authorization", "Bearer crk_" + Convert.ToHexString(RandomBytes(r, 32))),
            ("Authorization", "Bearer " + TestSecrets.ExchangeKey[..^1] + "X"),
            ("Authorization", "Bearer"),
            ("Authorization", "Bearer " + new string('k', 10_000)),
            ("Authorization", "Bearer a.b.c"),
            ("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9."),
            ("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:wrong"))),
            ("Authorization", "Basic !!!"),
            ("Authorization", "Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw=="),
            ("Cookie", $"{session}=garbage"),
            ("Cookie", $"{session}={Convert.ToBase64String(RandomBytes(r, 600)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}"),
            ("Cookie", $"{session}=chunks-2147483647"),
            ("Cookie", $"{session}=chunks-3; {session}C1=abc"),
            ("Cookie", $"{session}={new string('c', 10_000)}"),
            ("Cookie", "ContactRouter.Antiforgery=garbage"),
            ("Cookie", "a=b; =; ;;; c"),
        ];
    }

    /// <summary>Headers that mean nothing to the API; put on malformed requests they must not make them pass.</summary>
    public static readonly (string, string)[] OddHeaders =
    [
        ("X-User", "admin"), ("X-Forwarded-For", "not an address, 999.1.1.1"), ("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "gopher"),
        ("X-HTTP-Method-Override", "DELETE"), ("Accept", "application/json;q=nonsense"), ("Accept", "text/html"), ("Accept", "application/xml"),
        ("Accept-Language", new string('n', 5_000)), ("Accept-Encoding", "gzip;q=2, br;q=-1"), ("Range", "bytes=garbage"),
        ("If-None-Match", "\"" + new string('e', 5_000) + "\""), ("Origin", "https://evil.example"), ("Referer", "javascript:alert(1)"),
        ("Last-Event-ID", new string('9', 5_000)),
    ];

    // -----------------------------------------------------------------------------------------------------------------
    // Odd values the document allows: no 5xx for them either (they may change state)

    public IEnumerable<ApiRequest> OddButAllowed(Operation operation)
    {
        if (operation.Body is not { } body) yield break;
        foreach (var (name, schema) in body.Properties)
        {
            IEnumerable<string> values =
                IsFreeText(schema) ? new[] { "😀 İß \uFEFF", "\u202Eevil Z\u0337\u0327a\u0338l\u0335g\u0337o", "' OR 1=1 --\"; DROP TABLE Contacts; --",
                    "${jndi:ldap://example.invalid/a} {{7*7}} <script>alert(1)</script>", " padded\tline\r\nbreak " }
                    .Where(v => v.Length <= (schema.MaxLength ?? int.MaxValue)).Select(Str)
                : schema.Enum is { Count: > 0 } && schema.Is("string") ? ["\"SOCIAAL\"", "\" sociaal \"", Str(schema.Enum[^1]!.ToString())]
                : schema.Is("integer") && schema.Minimum is { } min && schema.Maximum is { } max ? [$"{min}", $"{max}", "-0", $"\"{max}\""]
                : schema.Format == "date-time" && schema.FormatMinimum is { } first
                    ? [Str(first), "\"2999-12-31T23:59:59Z\"", "\"2026-03-29T02:30:00+01:00\"", "\"2026-10-25T02:30:00+02:00\"", "\"2026-11-23T09:00:00Z\""]
                : schema.MaxLength is { } length && schema.Is("string") ? [Str(string.Concat(Enumerable.Repeat(new[] { "x", "1", "a" }.FirstOrDefault(schema.Matches) ?? "x", length)))]
                : [];
            foreach (var value in values) yield return WithBody(operation, "odd but allowed value in " + name, BodyWith(operation, name, value));
        }
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Helpers

    public static HttpContent Json(string text) => new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    private static HttpContent Bytes(byte[] bytes) => new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static byte[] RandomBytes(Random r, int count)
    {
        var bytes = new byte[count];
        r.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A JSON string: quotes, backslashes, control characters and lone surrogates escaped, the rest as is.</summary>
    public static string Str(string s)
    {
        var json = new StringBuilder(s.Length + 2).Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '"' or '\\') json.Append('\\').Append(c);
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) json.Append(c).Append(s[++i]);
            else if (c < 0x20 || char.IsSurrogate(c) || c is >= '\u007f' and <= '\u009f') json.Append($"\\u{(int)c:x4}");
            else json.Append(c);
        }
        return json.Append('"').ToString();
    }
}
