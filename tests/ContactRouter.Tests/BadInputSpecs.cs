using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace ContactRouter.Tests;

/// <summary>
/// Bad input on every endpoint: a 4xx application/problem+json naming the offending field, and no state change.
/// Bodies in InlineData use ' for " to stay readable.
/// </summary>
public sealed class When_a_contact_is_posted_with_bad_input : RouterSpec
{
    [Theory]
    [InlineData("{'centre':'nowhere','channel':'phone','caller':'+31612345678'}", 400, "centre")]
    [InlineData("{'channel':'phone','caller':'+31612345678','topic':'parkeren'}", 400, "centre")]
    [InlineData("{'channel':'phone','caller':'+31612345678'}", 400, "centre")]
    [InlineData("{not json", 400, "body")]
    [InlineData("", 400, "body")]
    [InlineData("null", 400, "body")]
    [InlineData("[]", 400, "body")]
    [InlineData("{'centre':'sociaal','channel':'phone','caller':'+31612345678','priority':'high'}", 400, "priority")]
    [InlineData("{'centre':'sociaal','channel':'phone','caller':'+31612345678','priority':10}", 400, "priority")]
    [InlineData("{'centre':'sociaal','channel':'phone','caller':'+31612345678','priority':-1}", 400, "priority")]
    [InlineData("{'centre':'sociaal','channel':'phone'}", 400, "caller")]
    [InlineData("{'centre':'sociaal','channel':'phone','caller':'   '}", 400, "caller")]
    [InlineData("{'centre':'sociaal','channel':'phone','caller':'12345'}", 400, "caller")]
    [InlineData("{'centre':'sociaal','channel':'phone','caller':'+3161234'}", 400, "caller")]
    [InlineData("{'centre':'sociaal','channel':'fax','caller':'+31612345678'}", 400, "channel")]
    [InlineData("{'centre':'sociaal','caller':'+31612345678'}", 400, "channel")]
    public async Task Should_answer_a_problem_naming_the_field_and_queue_nothing(string body, int status, string field)
    {
        var centresBefore = await _http.GetStringAsync("/api/centres");
        var rowsBefore = _router.NewDbContext().Contacts.Count();

        var response = await _http.PostAsync("/api/contacts", Api.RawJson(body.Replace('\'', '"')));

        await response.ShouldBeProblem((HttpStatusCode)status, field);
        (await _http.GetStringAsync("/api/centres")).Should().Be(centresBefore);
        _router.NewDbContext().Contacts.Count().Should().Be(rowsBefore);

        // A valid call behind it on the same centre queue: once it is queued, a command sent by the refused request would be too.
        var contactId = await _http.Call("sociaal");
        await _http.ContactWhen(contactId, "queued");
        _router.NewDbContext().Contacts.Count().Should().Be(rowsBefore + 1);
        var sociaal = await Centre(_http, "sociaal");
        sociaal["waiting"]!.GetValue<int>().Should().Be(1);
        sociaal["offered"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Should_answer_a_problem_for_an_unknown_contact()
    {
        await (await _http.GetAsync("/api/contacts/nosuchcontact")).ShouldBeProblem(HttpStatusCode.NotFound, "contactId");
        await (await _http.PostAsync("/api/contacts/nosuchcontact/abandon", null)).ShouldBeProblem(HttpStatusCode.NotFound, "contactId");
        await (await _http.PostAsJsonAsync("/api/contacts/nosuchcontact/complete", new { outcome = "resolved" }))
            .ShouldBeProblem(HttpStatusCode.NotFound, "contactId");
        _router.NewDbContext().Contacts.Count().Should().Be(0);
    }

    internal static async Task<JsonNode> Centre(HttpClient http, string centre) =>
        (await http.GetJson("/api/centres")).AsArray().Single(c => (string?)c!["centre"] == centre)!;
}

public sealed class When_an_agent_is_put_with_bad_input : RouterSpec
{
    [Theory]
    [InlineData("{'name':'Anna','centre':'sociaal','skills':{'sociaal':9}}", 400, "skills.sociaal")]
    [InlineData("{'name':'Anna','centre':'sociaal','skills':{'sociaal':0}}", 400, "skills.sociaal")]
    [InlineData("{'name':'Anna','centre':'sociaal','skills':{'sociaal':'high'}}", 400, "skills.sociaal")]
    [InlineData("{'name':'Anna','centre':'nowhere','skills':{'sociaal':3}}", 400, "centre")]
    [InlineData("{'name':'Anna','skills':{'sociaal':3}}", 400, "centre")]
    [InlineData("{'name':'Anna','centre':'sociaal','skills':{'sociaal':3,'nowhere':2}}", 400, "skills.nowhere")]
    [InlineData("{'name':'Anna','centre':'sociaal','skills':{'fysiek':3}}", 400, "skills.sociaal")]
    [InlineData("{'name':'Anna','centre':'sociaal','skills':{}}", 400, "skills")]
    [InlineData("{'name':'Anna','centre':'sociaal'}", 400, "skills")]
    [InlineData("{'centre':'sociaal','skills':{'sociaal':3}}", 400, "name")]
    [InlineData("{'name':'  ','centre':'sociaal','skills':{'sociaal':3}}", 400, "name")]
    [InlineData("{'name':'Anna','centre':", 400, "centre")]
    [InlineData("{not json", 400, "body")]
    public async Task Should_answer_a_problem_naming_the_field_and_register_nobody(string body, int status, string field)
    {
        var response = await _http.PutAsync("/api/agents/anna", Api.RawJson(body.Replace('\'', '"')));

        await response.ShouldBeProblem((HttpStatusCode)status, field);
        await (await _http.GetAsync("/api/agents/anna")).ShouldBeProblem(HttpStatusCode.NotFound, "agentId");
        _router.NewDbContext().Agents.Count().Should().Be(0);
    }

    [Theory]
    [InlineData("an!na")]
    [InlineData("an%20na")]
    [InlineData("an%C3%A9")]
    [InlineData("anna%0A")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65
    public async Task Should_refuse_an_agent_id_with_other_characters(string escapedId)
    {
        var response = await _http.PutAsync($"/api/agents/{escapedId}", Api.RawJson("""{"name":"Anna","centre":"sociaal","skills":{"sociaal":3}}"""));

        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "agentId");
        _router.NewDbContext().Agents.Count().Should().Be(0);
    }

    [Fact]
    public async Task Should_refuse_moving_an_existing_agent_to_another_centre_and_keep_them()
    {
        (await _http.PutAgent("anna", "sociaal", new { sociaal = 4, fysiek = 2 }, "Anna")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.SetStatus("anna", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = await _http.GetStringAsync("/api/agents/anna");

        await (await _http.PutAgent("anna", "fysiek", new { fysiek = 5 }, "Anna B")).ShouldBeProblem(HttpStatusCode.Conflict, "centre");
        await (await _http.PutAgent("anna", "sociaal", new { sociaal = 7 }, "Anna B")).ShouldBeProblem(HttpStatusCode.BadRequest, "skills.sociaal");
        await (await _http.PutAgent("anna", "sociaal", new { fysiek = 5 }, "Anna B")).ShouldBeProblem(HttpStatusCode.BadRequest, "skills.sociaal");

        (await _http.GetStringAsync("/api/agents/anna")).Should().Be(before);
        (await When_a_contact_is_posted_with_bad_input.Centre(_http, "fysiek"))["agents"]!["available"]!.GetValue<int>().Should().Be(0);
    }
}

public sealed class When_an_agent_status_is_bad : RouterSpec
{

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        (await _http.PutAgent("anna", "sociaal", new { sociaal = 4 })).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("{'status':'lunch'}", 400, "status")]
    [InlineData("{'status':'Available'}", 400, "status")]
    [InlineData("{'status':'busy'}", 400, "status")]
    [InlineData("{}", 400, "status")]
    [InlineData("{'status':3}", 400, "status")]
    public async Task Should_answer_a_problem_and_leave_the_agent_as_they_were(string body, int status, string field)
    {
        var before = await _http.GetStringAsync("/api/agents/anna");

        var response = await _http.PostAsync("/api/agents/anna/status", Api.RawJson(body.Replace('\'', '"')));

        await response.ShouldBeProblem((HttpStatusCode)status, field);
        (await _http.GetStringAsync("/api/agents/anna")).Should().Be(before);
    }

    [Fact]
    public async Task Should_answer_not_found_for_an_unknown_agent()
    {
        await (await _http.SetStatus("nobody", "available")).ShouldBeProblem(HttpStatusCode.NotFound, "agentId");
        await (await _http.GetAsync("/api/agents/nobody")).ShouldBeProblem(HttpStatusCode.NotFound, "agentId");
        await (await _http.PostAsJsonAsync("/api/agents/nobody/accept", new { contactId = "x" })).ShouldBeProblem(HttpStatusCode.NotFound, "agentId");
        await (await _http.PostAsJsonAsync("/api/agents/nobody/reject", new { contactId = "x" })).ShouldBeProblem(HttpStatusCode.NotFound, "agentId");
        _router.NewDbContext().Agents.Select(a => a.Id).Should().Equal("anna");
    }
}

/// <summary>Anna has the offer; Bram, also free at sociaal, tries to take or turn it down.</summary>
public sealed class When_an_agent_answers_an_offer_that_is_not_theirs : RouterSpec
{
    private string _contactId = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _contactId = await BadInputSetUp.AnnaIsOffered(_http);
        (await _http.PutAgent("bram", "sociaal", new { sociaal = 4 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _http.SetStatus("bram", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("accept")]
    [InlineData("reject")]
    public async Task Should_refuse_it_as_a_conflict_and_leave_the_offer_with_its_agent(string action)
    {
        var before = await Snapshot();

        var problem = await (await _http.PostAsJsonAsync($"/api/agents/bram/{action}", new { contactId = _contactId })).ShouldBeProblem(HttpStatusCode.Conflict, "contactId");
        ((string?)problem["code"]).Should().Be("not-offered", "the console says it in Dutch by this code");

        var after = await Snapshot();
        after.Should().Be(before);
        var anna = await _http.GetJson("/api/agents/anna");
        anna["status"]!.GetValue<string>().Should().Be("offered");
        anna["offer"]!["contactId"]!.GetValue<string>().Should().Be(_contactId);
        (await _http.GetJson("/api/agents/bram"))["status"]!.GetValue<string>().Should().Be("available");
        var contact = await _http.GetJson($"/api/contacts/{_contactId}");
        contact["status"]!.GetValue<string>().Should().Be("offered");
        contact["agentId"]!.GetValue<string>().Should().Be("anna");
    }

    [Theory]
    [InlineData("accept", "{}", 400, "contactId")]
    [InlineData("accept", "{'contactId':'  '}", 400, "contactId")]
    [InlineData("reject", "{}", 400, "contactId")]
    [InlineData("accept", "{'contactId':42}", 400, "contactId")]
    [InlineData("accept", "{not json", 400, "body")]
    [InlineData("accept", "{'contactId':'nosuchcontact'}", 409, "contactId")]
    [InlineData("reject", "{'contactId':'nosuchcontact'}", 409, "contactId")]
    public async Task Should_refuse_an_answer_that_names_no_offered_contact(string action, string body, int status, string field)
    {
        var before = await Snapshot();

        var response = await _http.PostAsync($"/api/agents/anna/{action}", Api.RawJson(body.Replace('\'', '"')));

        await response.ShouldBeProblem((HttpStatusCode)status, field);
        (await Snapshot()).Should().Be(before);
    }

    private async Task<string> Snapshot() =>
        await _http.GetStringAsync("/api/agents/anna") + await _http.GetStringAsync("/api/agents/bram")
        + await _http.GetStringAsync($"/api/contacts/{_contactId}") + await _http.GetStringAsync("/api/centres");
}

/// <summary>Every endpoint that takes a body, sent something that is not JSON while Anna holds an offer.</summary>
public sealed class When_a_body_is_not_json : RouterSpec
{
    private string _contactId = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _contactId = await BadInputSetUp.AnnaIsOffered(_http);
    }

    [Theory]
    [InlineData("POST", "/api/contacts", "{'centre':'sociaal','channel':'phone','caller':'+31612345678'}", "text/plain")]
    [InlineData("PUT", "/api/agents/anna", "{'name':'Anna','centre':'sociaal','skills':{'sociaal':5}}", "text/plain")]
    [InlineData("PUT", "/api/agents/bram", "{'name':'Bram','centre':'sociaal','skills':{'sociaal':5}}", "text/plain")]
    [InlineData("POST", "/api/agents/anna/status", "{'status':'break'}", "text/plain")]
    [InlineData("POST", "/api/agents/anna/accept", "contactId={contact}", "application/x-www-form-urlencoded")]
    [InlineData("POST", "/api/agents/anna/reject", "{'contactId':'{contact}'}", "text/plain")]
    [InlineData("POST", "/api/contacts/{contact}/complete", "{'outcome':'resolved'}", "text/plain")]
    public async Task Should_answer_415_naming_the_body_and_change_nothing(string method, string path, string body, string contentType)
    {
        var before = await Snapshot();
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{contact}", _contactId))
        {
            Content = new StringContent(body.Replace('\'', '"').Replace("{contact}", _contactId), Encoding.UTF8, contentType),
        };

        await (await _http.SendAsync(request)).ShouldBeProblem(HttpStatusCode.UnsupportedMediaType, "body");

        (await Snapshot()).Should().Be(before);
        await (await _http.GetAsync("/api/agents/bram")).ShouldBeProblem(HttpStatusCode.NotFound, "agentId");
        _router.NewDbContext().Contacts.Count().Should().Be(1);
    }

    private async Task<string> Snapshot() =>
        await _http.GetStringAsync("/api/agents/anna") + await _http.GetStringAsync($"/api/contacts/{_contactId}") + await _http.GetStringAsync("/api/centres");
}

public sealed class When_a_contact_is_completed_or_abandoned_out_of_turn : RouterSpec
{
    [Fact]
    public async Task Should_refuse_completing_a_queued_contact_and_leave_it_queued()
    {
        var contactId = await _http.Call("fysiek");
        await _http.ContactWhen(contactId, "queued");
        var before = await Snapshot(contactId);

        // A queued contact is nobody's: no agent may complete it.
        await (await _http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved" })).ShouldBeProblem(HttpStatusCode.Forbidden, "contactId");

        (await Snapshot(contactId)).Should().Be(before);
    }

    [Theory]
    [InlineData("{'outcome':'solved'}", 400, "outcome")]
    [InlineData("{'summary':'no outcome'}", 400, "outcome")]
    [InlineData("{'outcome':7}", 400, "outcome")]
    [InlineData("{not json", 400, "body")]
    public async Task Should_refuse_a_bad_completion_of_a_connected_contact_and_keep_the_call(string body, int status, string field)
    {
        var contactId = await Connected();
        var before = await Snapshot(contactId);

        var response = await _http.PostAsync($"/api/contacts/{contactId}/complete", Api.RawJson(body.Replace('\'', '"')));

        await response.ShouldBeProblem((HttpStatusCode)status, field);
        (await Snapshot(contactId)).Should().Be(before);
    }

    [Fact]
    public async Task Should_refuse_a_summary_that_is_too_long()
    {
        var contactId = await Connected();
        var before = await Snapshot(contactId);

        await (await _http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved", summary = new string('x', 2001) }))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "summary");

        (await Snapshot(contactId)).Should().Be(before);
    }

    [Fact]
    public async Task Should_refuse_abandoning_a_connected_contact()
    {
        var contactId = await Connected();
        var before = await Snapshot(contactId);

        var problem = await (await _http.PostAsync($"/api/contacts/{contactId}/abandon", null)).ShouldBeProblem(HttpStatusCode.Conflict, "contactId");
        ((string?)problem["code"]).Should().Be("contact-not-waiting");

        (await Snapshot(contactId)).Should().Be(before);
        (await _http.GetJson("/api/agents/anna"))["status"]!.GetValue<string>().Should().Be("busy");
    }

    [Fact]
    public async Task Should_refuse_finishing_a_contact_that_is_already_finished_as_a_conflict()
    {
        var contactId = await Connected();
        (await _http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "resolved" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = await Snapshot(contactId);

        // The contact exists (GET answers 200), so "not found" would be untrue: it is in the wrong state.
        await (await _http.PostAsJsonAsync($"/api/contacts/{contactId}/complete", new { outcome = "callback" })).ShouldBeProblem(HttpStatusCode.Conflict, "contactId");
        await (await _http.PostAsync($"/api/contacts/{contactId}/abandon", null)).ShouldBeProblem(HttpStatusCode.Conflict, "contactId");

        (await Snapshot(contactId)).Should().Be(before);
    }

    private async Task<string> Connected()
    {
        var contactId = await BadInputSetUp.AnnaIsOffered(_http);
        (await _http.PostAsJsonAsync("/api/agents/anna/accept", new { contactId })).StatusCode.Should().Be(HttpStatusCode.OK);
        return contactId;
    }

    private async Task<string> Snapshot(string contactId) =>
        await _http.GetStringAsync($"/api/contacts/{contactId}") + await _http.GetStringAsync("/api/centres")
        + (await _http.GetAsync("/api/agents/anna") is { IsSuccessStatusCode: true } agent ? await agent.Content.ReadAsStringAsync() : "");
}

/// <summary>The set-up these specs share.</summary>
file static class BadInputSetUp
{
    /// <summary>
    /// Anna, free at sociaal, is offered a caller. Also waits for the offer's customer view (built from events),
    /// so snapshots compare a settled state.
    /// </summary>
    public static async Task<string> AnnaIsOffered(HttpClient http)
    {
        (await http.PutAgent("anna", "sociaal", new { sociaal = 4 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.SetStatus("anna", "available")).StatusCode.Should().Be(HttpStatusCode.OK);
        var contactId = await http.Call("sociaal");
        await http.AgentWhen("anna", a => (string?)a["offer"]?["contactId"] == contactId && a["offer"]?["customer"] is not null, "the offer with its customer view");
        return contactId;
    }
}
