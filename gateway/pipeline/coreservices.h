#pragma once

// The gateway's long-lived parts, handed to those that need several of
// them (the admin API, the window's models) instead of a singleton. The
// Gateway owns every one; all live on the gateway thread.

class BudgetBook;
class CallMonitor;
class KeyStore;
class Metrics;
class PriceBook;
class PromptLibrary;
class ProviderRegistry;
class ResponseCache;
class RateLimiter;
class RunRegistry;
class Store;

struct CoreServices
{
    KeyStore *keys = nullptr;
    RunRegistry *runs = nullptr;
    PriceBook *prices = nullptr;
    BudgetBook *budgets = nullptr;
    RateLimiter *limiter = nullptr;
    Store *store = nullptr;
    CallMonitor *monitor = nullptr;
    ProviderRegistry *providers = nullptr;
    Metrics *metrics = nullptr;
    PromptLibrary *prompts = nullptr;
    ResponseCache *cache = nullptr;
};
