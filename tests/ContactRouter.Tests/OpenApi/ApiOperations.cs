using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Tests.OpenApi;

/// <summary>
/// The running host's own OpenAPI document (/openapi/v1.json), one operation at a time, each with the endpoint it
/// describes (for who may call it: its policy, which the document does not say). The specs generate their requests from
/// this and check the answers against it, so a new endpoint or field is tried without anyone listing it here.
/// </summary>
public sealed class ApiOperations
{
    public required IReadOnlyList<Operation> All { get; init; }

    /// <summary>The app's endpoints the document leaves out: the consoles' pages, /health, /alive, the document itself.</summary>
    public required IReadOnlyList<Undescribed> Undescribed { get; init; }

    public static async Task<ApiOperations> Read(RouterFactory router)
    {
        var document = JsonNode.Parse(await router.Anonymous().GetStringAsync("/openapi/v1.json"))!.AsObject();
        var endpoints = router.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Endpoint: e)))
            .ToList();
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, node) in item!.AsObject())
        {
            var verb = method.ToUpperInvariant();
            var endpoint = endpoints.SingleOrDefault(e => e.Method == verb && PatternOf(e.Endpoint) == path).Endpoint
                ?? throw new InvalidOperationException($"The document's {verb} {path} is no endpoint of the app.");
            var parameters = (node!["parameters"]?.AsArray() ?? []).Select(p => new Parameter(
                (string)p!["name"]!, (string)p["in"]!, (bool?)p["required"] ?? false, new Schema(p["schema"]!.AsObject(), document))).ToList();
            var body = node["requestBody"]?["content"]?["application/json"]?["schema"] is JsonObject schema ? new Schema(schema, document) : null;
            var statuses = node["responses"]!.AsObject().Select(r => int.Parse(r.Key, CultureInfo.InvariantCulture)).ToHashSet();
            operations.Add(new Operation(verb, path, parameters, body, statuses,
                endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault()));
        }
        var described = operations.Select(o => (o.Method, o.Path)).ToHashSet();
        var undescribed = endpoints.Where(e => !described.Contains((e.Method, PatternOf(e.Endpoint))))
            .Select(e => new Undescribed(e.Method, PatternOf(e.Endpoint), e.Endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList(),
                e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                e.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault()))
            .ToList();
        return new ApiOperations { All = operations, Undescribed = undescribed };
    }

    private static string PatternOf(RouteEndpoint endpoint)
    {
        // A group's own path with "" as the endpoint's comes out as "/api/contacts/"; the document writes "/api/contacts".
        var raw = endpoint.RoutePattern.RawText!.TrimEnd('/');
        return raw.StartsWith('/') ? raw : "/" + raw;
    }
}

/// <summary>One method on one path, as the document describes it.</summary>
public sealed record Operation(
    string Method, string Path, IReadOnlyList<Parameter> Parameters, Schema? Body, IReadOnlySet<int> Statuses, bool Anonymous, string? Policy)
{
    public IEnumerable<Parameter> In(string where) => Parameters.Where(p => p.In == where);
    public override string ToString() => $"{Method} {Path}";
}

public sealed record Parameter(string Name, string In, bool Required, Schema Schema);

/// <summary>An endpoint of the app the document leaves out, with what the specs need to call it.</summary>
public sealed record Undescribed(string Method, string Path, IReadOnlyList<string> RouteValues, bool Anonymous, string? Policy);

/// <summary>A schema of the document with its <c>$ref</c> followed, read as JSON Schema 2020-12 and our <c>x-format…</c> bounds.</summary>
public sealed class Schema
{
    private readonly JsonObject _node;
    private readonly JsonObject _document;

    public Schema(JsonObject node, JsonObject document)
    {
        _document = document;
        while (node["$ref"] is JsonValue reference)
            node = document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]!.AsObject();
        _node = node;
    }

    public IReadOnlySet<string> Types => _node["type"] switch
    {
        JsonArray many => many.Select(t => (string)t!).ToHashSet(),
        JsonValue one => new HashSet<string> { (string)one! },
        _ => new HashSet<string>(),
    };

    public bool Is(string type) => Types.Contains(type);
    public int? MaxLength => (int?)_node["maxLength"];
    public int? MinLength => (int?)_node["minLength"];
    public int? MaxItems => (int?)_node["maxItems"];
    public int? MaxProperties => (int?)_node["maxProperties"];
    public decimal? Minimum => (decimal?)_node["minimum"];
    public decimal? Maximum => (decimal?)_node["maximum"];
    public string? Format => (string?)_node["format"];
    public string? Pattern => (string?)_node["pattern"];
    public string? FormatMinimum => (string?)_node["x-formatMinimum"];
    public string? FormatMaximum => (string?)_node["x-formatMaximum"] ?? (string?)_node["x-formatExclusiveMaximum"];
    public bool FormatMaximumIsExclusive => _node["x-formatExclusiveMaximum"] is not null;
    public IReadOnlyList<JsonNode?>? Enum => _node["enum"]?.AsArray().ToList();
    public Schema? Items => _node["items"] is JsonObject items ? new Schema(items, _document) : null;
    public Schema? Values => _node["additionalProperties"] is JsonObject values ? new Schema(values, _document) : null;
    public Schema? Keys => _node["propertyNames"] is JsonObject keys ? new Schema(keys, _document) : null;

    public IReadOnlyDictionary<string, Schema> Properties =>
        (_node["properties"]?.AsObject() ?? []).ToDictionary(p => p.Key, p => new Schema(p.Value!.AsObject(), _document));

    public IReadOnlySet<string> Required => (_node["required"]?.AsArray() ?? []).Select(r => (string)r!).ToHashSet();

    /// <summary>Whether <paramref name="value"/> matches the pattern (ECMA-262's end of input read the .NET way).</summary>
    public bool Matches(string value) => Pattern is not { } pattern || Regex.IsMatch(value, pattern.EndsWith('$') ? pattern[..^1] + @"\z" : pattern);

    public override string ToString() => _node.ToJsonString();
}
