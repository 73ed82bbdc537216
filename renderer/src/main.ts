// Entry point: one bridge to the engine, one App on it.
import { mount } from 'svelte';
import App from './App.svelte';
import { createBridge } from './lib/bridge';

const target = document.getElementById('app');
if (target) mount(App, { target, props: { bridge: createBridge() } });
