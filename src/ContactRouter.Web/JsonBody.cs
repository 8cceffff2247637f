using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContactRouter.Web;

/// <summary>
/// Reads a JSON body ourselves instead of through model binding, so malformed JSON or a wrongly typed
/// value gets a problem answer that names the field (from the parser's JSON path) rather than a bare 400.
/// </summary>
public static class JsonBody
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

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

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
