import { mount } from 'svelte';
import { App } from './app';

const target = document.getElementById('app');
if (target) mount(App, { target });
