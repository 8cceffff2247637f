using Microsoft.AspNetCore.Http;

namespace ContactRouter.Web;

/// <summary>RFC 9457 problem answers that always name the offending field.</summary>
public static class Problems
{
    public static IResult Field(int status, string field, string detail) => Results.Problem(
        detail: detail,
        statusCode: status,
        title: status switch
        {
            StatusCodes.Status400BadRequest => "The request is not valid.",
            StatusCodes.Status404NotFound => "Not found.",
            StatusCodes.Status409Conflict => "The request conflicts with the current state.",
            StatusCodes.Status415UnsupportedMediaType => "Send JSON.",
            _ => "The request could not be handled.",
        },
        extensions: new Dictionary<string, object?>
        {
            ["field"] = field,
            ["errors"] = new Dictionary<string, string[]> { [field] = [detail] },
        });

    public static IResult Invalid(string field, string detail) => Field(StatusCodes.Status400BadRequest, field, detail);
    public static IResult NotFound(string field, string detail) => Field(StatusCodes.Status404NotFound, field, detail);
    public static IResult Conflict(string field, string detail) => Field(StatusCodes.Status409Conflict, field, detail);
}
