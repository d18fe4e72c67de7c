"""Renders a conversation with the chat_template of a bundle's tokenizer_config.json the way Hugging Face
transformers applies it (apply_chat_template: a sandboxed Jinja environment with trim_blocks and lstrip_blocks).

usage: apply_chat_template.py BUNDLE_DIR MESSAGES_JSON   -> the rendered text on stdout, as JSON
"""
import json
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment

bundle, messages = sys.argv[1], json.loads(sys.argv[2])
with open(bundle + "/tokenizer_config.json", encoding="utf-8") as f:
    config = json.load(f)
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
template = env.from_string(config["chat_template"])
text = template.render(messages=messages, add_generation_prompt=True,
                       bos_token=config.get("bos_token"), eos_token=config.get("eos_token"))
print(json.dumps(text))
