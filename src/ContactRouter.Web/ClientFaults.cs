using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace ContactRouter.Web;

/// <summary>
/// A request the framework refuses while binding or reading it (<see cref="BadHttpRequestException"/>: a query value that
/// is no number, a body over the limit or in malformed chunks) is the client's fault. It is answered as a problem that
/// names the parameter or the body, whatever the client accepts, and — handled here — is not logged as the app's error
/// (its message holds what the client sent).
/// </summary>
internal sealed partial class ClientFaults : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;
        var (field, detail) = UnboundParameter().Match(bad.Message) is { Success: true } unbound
            ? (unbound.Groups["name"].Value, $"{unbound.Groups["name"].Value} is not a valid {unbound.Groups["type"].Value.Replace("Nullable<", "").TrimEnd('>', '?')}.")
            : ("body", bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request could not be read.");
        await Problems.Field(bad.StatusCode, field, detail).ExecuteAsync(http);
        return true;
    }

    /// <summary>The framework's words for a parameter that did not bind: <c>Failed to bind parameter "Nullable&lt;int&gt; hours" from "abc".</c></summary>
    [GeneratedRegex("""^(Failed to bind parameter|Required parameter) "(?<type>[^"]+) (?<name>[A-Za-z0-9_]+)" """)]
    private static partial Regex UnboundParameter();
}
