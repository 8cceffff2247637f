using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContactRouter.Web;

/// <summary>
/// Reads a JSON body ourselves instead of through model binding, so malformed JSON or a wrongly typed
/// value gets a problem answer that names the field (from the parser's JSON path) rather than a bare 400.
/// Text holding control characters (other than tab and line breaks) or half a surrogate pair is refused the same way:
/// no name, question or summary needs them, they forge lines wherever the text is shown, and PostgreSQL refuses a NUL.
/// </summary>
public static class JsonBody
{
    /// <summary>What <see cref="PlainText"/> lets through, as the OpenAPI document writes it for free-text fields (ECMA-262).</summary>
    public const string TextPattern = @"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new PlainText() } };

    public static async Task<(T? Body, ProblemHttpResult? Problem)> Read<T>(HttpRequest request) where T : class
    {
        if (!request.HasJsonContentType())
            return (null, Problems.Field(StatusCodes.Status415UnsupportedMediaType, "body", "Send a JSON body with Content-Type: application/json."));
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
            return body is null ? (null, Problems.Invalid("body", "The body is empty or null.")) : (body, null);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's body limit (413) or a malformed chunked body (400) while reading: the client's fault, never a 500.
            return (null, Problems.Field(ex.StatusCode, "body", ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is too large."
                : "The request body could not be read."));
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Problems.Invalid(field, $"Malformed JSON at '{field}': {FirstSentence(ex.Message)}"));
        }
    }

    /// <summary>Every string of a body, map keys included, checked as it is read.</summary>
    private sealed class PlainText : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => Checked(reader.GetString()!),
            _ => throw new JsonException($"Expected text, not {reader.TokenType}."),
        };

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Checked(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

        public override bool HandleNull => false;

        private static string Checked(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                    throw new JsonException("The text holds a control character.");
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
                else if (char.IsSurrogate(c)) throw new JsonException("The text holds half a surrogate pair.");
            }
            return text;
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
