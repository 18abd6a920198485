# --- stub (not from the page): `build_client` is called by the page but never defined. It prints what it
# --- was given so the test can see the validated config reached set-up (only the api_key's length is printed).
import json as _stub_json


def build_client(*, base_url, api_key, timeout):
    print(_stub_json.dumps({"build_client": {"base_url": base_url, "api_key_len": len(api_key), "timeout": timeout}}))
    return {"base_url": base_url, "timeout": timeout}
# --- end stub ---

from pydantic import BaseModel, Field
from dagstack.plugin_system import PluginContext


class StripeConfig(BaseModel):
    base_url: str = "https://api.stripe.com/v1"
    api_key: str = Field(..., min_length=1)
    webhook_secret: str = Field(..., min_length=1)
    timeout_s: float = 30.0
    max_retries: int = 3


class StripeProvider:
    config_schema = StripeConfig

    async def setup(self, context: PluginContext) -> None:
        config = StripeConfig(**context.config)  # already validated
        self._client = build_client(
            base_url=config.base_url,
            api_key=config.api_key,
            timeout=config.timeout_s,
        )
