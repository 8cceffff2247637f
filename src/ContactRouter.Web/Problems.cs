using Microsoft.AspNetCore.Http;

namespace ContactRouter.Web;

/// <summary>RFC 9457 problem answers that always name the offending field.</summary>
public static class Problems
{
    /// <param name="code">A stable name for the problem that a console can put in the user's words.</param>
    public static IResult Field(int status, string field, string detail, string? code = null)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["field"] = field,
            ["errors"] = new Dictionary<string, string[]> { [field] = [detail] },
        };
        if (code is not null) extensions["code"] = code;
        return Results.Problem(detail: detail, statusCode: status, extensions: extensions, title: status switch
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

    public static IResult Invalid(string field, string detail) => Field(StatusCodes.Status400BadRequest, field, detail);
    public static IResult NotFound(string field, string detail) => Field(StatusCodes.Status404NotFound, field, detail);
    public static IResult Conflict(string field, string detail) => Field(StatusCodes.Status409Conflict, field, detail);
    public static IResult Forbidden(string field, string detail, string? code = null) => Field(StatusCodes.Status403Forbidden, field, detail, code);
}
