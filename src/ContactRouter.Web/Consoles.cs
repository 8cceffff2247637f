using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Web;

/// <summary>
/// The three consoles and the landing page: plain HTML, CSS and JavaScript modules from the host's wwwroot,
/// served by the same process as the API (no front-end server, no build step). Scripts, styles and texts are public
/// files; the pages need a signed-in member of staff.
/// </summary>
public static class Consoles
{
    public static readonly IReadOnlyDictionary<string, string> Pages = new Dictionary<string, string>
    {
        ["/"] = "index.html",
        ["/agent"] = "agent.html",
        ["/teamlead"] = "teamlead.html",
        ["/reception"] = "reception.html",
        ["/admin"] = "admin.html",
    };

    /// <summary>The sign-in page; the only page without a signed-in user.</summary>
    public const string SignInPage = "/login";

    public static WebApplication MapConsoles(this WebApplication app)
    {
        // Revalidate on every load: a console open all day picks up a new version at the next reload, never a stale script.
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache" });
        var files = app.Services.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider;
        IResult Page(string file)
        {
            var page = files.GetFileInfo(file);
            return page.Exists ? Results.Stream(page.CreateReadStream(), "text/html; charset=utf-8") : Results.NotFound();
        }
        // A page holds no data (that comes from the API, role by role), but without a session it sends you to sign in.
        foreach (var (path, file) in Pages)
            app.MapGet(path, () => Page(file)).ExcludeFromDescription().RequireAuthorization(Policies.Staff);
        app.MapGet(SignInPage, () => Page("login.html")).ExcludeFromDescription().AllowAnonymous();
        return app;
    }
}
