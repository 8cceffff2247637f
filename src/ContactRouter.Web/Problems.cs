using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContactRouter.Web;

/// <summary>RFC 9457 problem answers that always name the offending field.</summary>
public static class Problems
{
    /// <param name="code">A stable name for the problem that a console can put in the user's words.</param>
    public static ProblemHttpResult Field(int status, string field, string detail, string? code = null)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["field"] = field,
            ["errors"] = new Dictionary<string, string[]> { [field] = [detail] },
        };
        if (code is not null) extensions["code"] = code;
        return TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions, title: status switch
        {
            StatusCodes.Status400BadRequest => "The request is not valid.",
            StatusCodes.Status404NotFound => "Not found.",
            StatusCodes.Status409Conflict => "The request conflicts with the current state.",
            StatusCodes.Status401Unauthorized => "Sign in first.",
            StatusCodes.Status403Forbidden => "Not allowed.",
            StatusCodes.Status413PayloadTooLarge => "The request is too large.",
            StatusCodes.Status415UnsupportedMediaType => "Send JSON.",
            StatusCodes.Status429TooManyRequests => "Too many requests.",
            _ => "The request could not be handled.",
        });
    }

    public static ProblemHttpResult Invalid(string field, string detail, string? code = null) => Field(StatusCodes.Status400BadRequest, field, detail, code);
    public static ProblemHttpResult NotFound(string field, string detail, string? code = null) => Field(StatusCodes.Status404NotFound, field, detail, code);
    public static ProblemHttpResult Conflict(string field, string detail, string? code = null) => Field(StatusCodes.Status409Conflict, field, detail, code);
    public static ProblemHttpResult Forbidden(string field, string detail, string? code = null) => Field(StatusCodes.Status403Forbidden, field, detail, code);

    /// <summary>
    /// The problem answers an endpoint's handler can give, for the OpenAPI document: declared next to its mapping, since a
    /// problem's status is only known when it is made. What the pipeline answers before the handler runs (401/403, a
    /// body's 400/413/415, 429, a parameter's 400) every endpoint declares by itself (<see cref="DeclaredAnswers"/>).
    /// </summary>
    public static TBuilder Refusals<TBuilder>(this TBuilder endpoints, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses) endpoints.ProducesProblem(status);
        return endpoints;
    }
}
