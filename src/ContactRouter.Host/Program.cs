using ContactRouter.Components;
using ContactRouter.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddContactRouter();
builder.Services.AddRouterApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
// A worker-only process (Router:Api=false) still answers /health and /alive; the consoles come with the API.
if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostingOptions>>().Value.Api)
{
    app.MapConsoles();
    app.MapRouterApi();
}
app.MapDefaultEndpoints();
app.Run();

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
