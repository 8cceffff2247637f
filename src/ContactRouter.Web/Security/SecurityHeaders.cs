using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// On every answer: a Content-Security-Policy without inline script or style (the consoles load their modules and
/// stylesheet from this host only), no sniffing, no framing, no referrer; and a body above the limit is refused
/// as 413 before anything reads it.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var limit = security.MaxRequestBodyBytes;
        // Signing out at the identity provider is a form sent here that the browser follows to the provider.
        var policy = security.Oidc.Enabled && Uri.TryCreate(security.Oidc.Authority, UriKind.Absolute, out var provider)
            ? ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {provider.GetLeftPart(UriPartial.Authority)}")
            : ContentSecurityPolicy;
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // Kestrel enforces the same limit while reading a chunked body; a declared length is refused at once.
            if (context.Request.ContentLength > limit)
            {
                await Problems.Field(StatusCodes.Status413PayloadTooLarge, "body", $"A request body is at most {limit} bytes.").ExecuteAsync(context);
                return;
            }
            await next();
        });
        return app;
    }
}
