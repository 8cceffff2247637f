using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Web;

/// <summary>
/// The three consoles and the landing page: plain HTML, CSS and JavaScript modules from the host's wwwroot,
/// served by the same process as the API (no front-end server, no build step).
/// </summary>
public static class Consoles
{
    public static readonly IReadOnlyDictionary<string, string> Pages = new Dictionary<string, string>
    {
        ["/"] = "index.html",
        ["/agent"] = "agent.html",
        ["/teamlead"] = "teamlead.html",
        ["/reception"] = "reception.html",
    };

    public static WebApplication MapConsoles(this WebApplication app)
    {
        // Revalidate on every load: a console open all day picks up a new version at the next reload, never a stale script.
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache" });
        var files = app.Services.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider;
        foreach (var (path, file) in Pages)
        {
            app.MapGet(path, () =>
            {
                var page = files.GetFileInfo(file);
                return page.Exists ? Results.Stream(page.CreateReadStream(), "text/html; charset=utf-8") : Results.NotFound();
            }).ExcludeFromDescription();
        }
        return app;
    }
}
