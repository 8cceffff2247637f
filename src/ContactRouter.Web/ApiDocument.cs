using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace ContactRouter.Web;

/// <summary>
/// The OpenAPI document at /openapi/v1.json, made by the framework from the endpoints' metadata and the request
/// records' attributes. What the framework does not map itself is mapped here, from the same attributes.
/// </summary>
public static class ApiDocument
{
    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(o => o.AddSchemaTransformer<DeclaredSchema>());
}

/// <summary>
/// Request fields and parameters as their attributes declare them:
/// <list type="bullet">
/// <item>a request body's <c>required</c> lists exactly its <see cref="RequiredAttribute"/> fields (the records' fields are
/// nullable so that a missing one gets a named problem, and the framework would call every constructor parameter
/// required), and a required field may not be null either;</item>
/// <item><see cref="OneOfAttribute"/> becomes the <c>enum</c> (and <c>maxLength</c>) of the value, a list's items or a map's keys;</item>
/// <item>a <see cref="RangeAttribute"/> over dates becomes <c>format</c> with <c>x-formatMinimum</c>/<c>x-formatMaximum</c>
/// (JSON Schema has no keyword for it; the names are those of ajv's proposal), and one on a map holds for its values;</item>
/// <item>a pattern of a bounded length (<c>^[…]{1,64}\z</c>) gives its <c>minLength</c>/<c>maxLength</c>, so that the
/// length is written once, in the pattern;</item>
/// <item>free text in a body has <see cref="JsonBody.TextPattern"/>: control characters are refused;</item>
/// <item>a .NET pattern's end of input (<c>\z</c>) is written as ECMA-262's (<c>$</c>).</item>
/// </list>
/// </summary>
internal sealed partial class DeclaredSchema : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var inBody = context.ParameterDescription?.Source == BindingSource.Body;
        if (context.JsonPropertyInfo is { AttributeProvider: { } property } info && inBody)
            Declare(schema, property.GetCustomAttributes(inherit: false).OfType<ValidationAttribute>(), info.PropertyType, freeText: true);
        else if (context.JsonPropertyInfo is null && !inBody && context.ParameterDescription?.ParameterDescriptor is IParameterInfoParameterDescriptor { ParameterInfo: { } parameter })
            Declare(schema, parameter.GetCustomAttributes<ValidationAttribute>(inherit: false), parameter.ParameterType, freeText: false);
        if (context.JsonPropertyInfo is null && inBody && schema.Properties is { Count: > 0 })
            RequiredAsDeclared(schema, context.JsonTypeInfo);
        if (schema.Pattern is { } pattern)
        {
            if (pattern.EndsWith(@"\z", StringComparison.Ordinal)) schema.Pattern = pattern = pattern[..^2] + "$";
            if (schema.MaxLength is null && BoundedLength().Match(pattern) is { Success: true } bounded)
            {
                schema.MinLength ??= int.Parse(bounded.Groups["min"].Value, CultureInfo.InvariantCulture);
                schema.MaxLength = int.Parse(bounded.Groups["max"].Value, CultureInfo.InvariantCulture);
            }
        }
        return Task.CompletedTask;
    }

    private static void RequiredAsDeclared(OpenApiSchema schema, JsonTypeInfo type)
    {
        var required = type.Properties
            .Where(p => p.AttributeProvider?.GetCustomAttributes(inherit: false).OfType<RequiredAttribute>().Any() == true)
            .Select(p => p.Name).ToHashSet();
        schema.Required = required;
        foreach (var name in required)
            if (schema.Properties!.TryGetValue(name, out var field) && field is OpenApiSchema { Type: { } types } value)
                value.Type = types & ~JsonSchemaType.Null;
    }

    private static void Declare(OpenApiSchema schema, IEnumerable<ValidationAttribute> attributes, Type clrType, bool freeText)
    {
        var type = Nullable.GetUnderlyingType(clrType) ?? clrType;
        var isMap = typeof(IDictionary).IsAssignableFrom(type);
        var isList = !isMap && type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);
        foreach (var attribute in attributes)
        {
            switch (attribute)
            {
                case OneOfAttribute oneOf when isMap:
                    schema.PropertyNames = Enumeration(new OpenApiSchema { Type = JsonSchemaType.String }, oneOf);
                    schema.MaxProperties = oneOf.Values.Count;
                    break;
                case OneOfAttribute oneOf when isList && schema.Items is OpenApiSchema items:
                    Enumeration(items, oneOf);
                    schema.MaxItems = oneOf.Values.Count;
                    break;
                case OneOfAttribute oneOf:
                    Enumeration(schema, oneOf);
                    break;
                case RangeAttribute range when range.OperandType == typeof(DateOnly) || range.OperandType == typeof(DateTimeOffset):
                    schema.Format = range.OperandType == typeof(DateOnly) ? "date" : "date-time";
                    schema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                    schema.Extensions[range.MinimumIsExclusive ? "x-formatExclusiveMinimum" : "x-formatMinimum"] = Text(range.Minimum);
                    schema.Extensions[range.MaximumIsExclusive ? "x-formatExclusiveMaximum" : "x-formatMaximum"] = Text(range.Maximum);
                    break;
                case RangeAttribute range when isMap && schema.AdditionalProperties is OpenApiSchema values:
                    // The framework put the range on the map itself; it holds for each value.
                    (values.Minimum, values.Maximum) = (schema.Minimum, schema.Maximum);
                    (schema.Minimum, schema.Maximum) = (null, null);
                    break;
            }
        }
        if (freeText && schema.Type is { } types && types.HasFlag(JsonSchemaType.String) && schema.Pattern is null && schema.Enum is not { Count: > 0 }
            && (schema.Format is null or "") && !isMap && !isList)
            schema.Pattern = JsonBody.TextPattern;
    }

    private static OpenApiSchema Enumeration(OpenApiSchema schema, OneOfAttribute oneOf)
    {
        schema.Enum = oneOf.Values.Select(v => v is int i ? (JsonNode)JsonValue.Create(i) : JsonValue.Create((string)v)).ToList();
        var texts = oneOf.Values.OfType<string>().ToList();
        if (texts.Count > 0) schema.MaxLength = texts.Max(t => t.Length);
        return schema;
    }

    /// <summary>One character class repeated between bounds, the whole value: <c>^[A-Za-z0-9._-]{1,64}$</c>.</summary>
    [GeneratedRegex(@"^\^\[[^\]]+\]\{(?<min>\d+),(?<max>\d+)\}\$$")]
    private static partial Regex BoundedLength();

    private static JsonNodeExtension Text(object bound) => new(JsonValue.Create(Convert.ToString(bound, CultureInfo.InvariantCulture))!);
}
