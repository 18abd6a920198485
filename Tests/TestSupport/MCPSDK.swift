import Foundation

public struct MissingMCPSDK: Error, CustomStringConvertible {
    public let description = "The MCP Python SDK is not installed: run `make mcp-venv` (or `make test`), or set DAGSTACK_MCP_PYTHON"
}

/// The Python with the official MCP SDK (`mcp` on PyPI) installed, for the tests' MCP servers.
public func mcpPython() throws -> String {
    if let configured = ProcessInfo.processInfo.environment["DAGSTACK_MCP_PYTHON"] { return configured }
    let venv = packageRoot + "/.venv-mcp/bin/python"
    guard FileManager.default.isExecutableFile(atPath: venv) else { throw MissingMCPSDK() }
    return venv
}

/// The tests' MCP servers.
public let mcpServers = packageRoot + "/Tests/Fixtures/mcp-servers"
